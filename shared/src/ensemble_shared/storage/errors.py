"""Which store errors are the request's fault and which are a brownout, decided in one place.

Only an error that says *the request is wrong* (a duplicate key, a malformed update, a document
too large, an operator the store does not implement) is permanent: trying again gives the same
answer, so a consumer dead-letters the event and an API answers it. Everything else the store
raises is a brownout — timeouts, lost connections, not-primary, shutdown in progress, write
concern not met, SQLite busy behind FerretDB, a bulk write whose failures a retry can clear,
codes we do not know — and is waited out: a consumer retries with backoff and never
dead-letters it, an API answers 503 with Retry-After. Guessing "transient" wrongly costs a
stalled stream (loud, in metrics); guessing "permanent" wrongly loses events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bson.errors import BSONError
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DocumentTooLarge,
    InvalidName,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
)

from ensemble_shared.retries import Backoff

log = logging.getLogger(__name__)
T = TypeVar("T")

# Server codes that mean "this request can never succeed as written" (MongoDB's error_codes.yml;
# FerretDB answers with the same codes).
REQUEST_IS_WRONG: frozenset[int] = frozenset(
    {
        2,  # BadValue
        4,  # NoSuchKey
        9,  # FailedToParse
        10,  # CannotMutateObject
        14,  # TypeMismatch
        15,  # Overflow
        16,  # InvalidLength
        20,  # IllegalOperation
        22,  # InvalidBSON
        26,  # NamespaceNotFound
        27,  # IndexNotFound
        28,  # PathNotViable
        30,  # InvalidPath
        40,  # ConflictingUpdateOperators
        48,  # NamespaceExists
        52,  # DollarPrefixedFieldName
        53,  # InvalidIdField
        54,  # NotSingleValueField
        55,  # InvalidDBRef
        56,  # EmptyFieldName
        57,  # DottedFieldName
        59,  # CommandNotFound
        66,  # ImmutableField
        67,  # CannotCreateIndex
        68,  # IndexAlreadyExists
        72,  # InvalidOptions
        73,  # InvalidNamespace
        85,  # IndexOptionsConflict
        86,  # IndexKeySpecsConflict
        115,  # CommandNotSupported
        121,  # DocumentValidationFailure
        166,  # CommandNotSupportedOnView
        168,  # InvalidPipelineOperator
        197,  # InvalidIndexSpecificationOption
        238,  # NotImplemented (FerretDB: an operator it lacks)
        241,  # ConversionFailure
        10334,  # BSONObjectTooLarge
        11000,  # DuplicateKey
        11001,  # DuplicateKey (legacy)
        12582,  # DuplicateKey (legacy, upsert)
        17280,  # KeyTooLong
    }
)
# MongoDB's numbered assertions ("Location" codes) reject a malformed query or update
# ("$in needs an array", "unknown operator"); a brownout never comes with one.
_LOCATION_CODES = range(15_000, 1_000_000)
_RETRY_LABELS = ("RetryableWriteError", "TransientTransactionError", "ResetPool")

# Every exception the store or its driver raises (pymongo's and the BSON encoder's).
STORE_ERRORS: tuple[type[Exception], ...] = (PyMongoError, BSONError)


def is_permanent(exc: BaseException) -> bool:
    """True when the store refused the request itself: retrying cannot change the answer."""
    if isinstance(exc, BSONError | DocumentTooLarge | InvalidName):
        return True  # refused by the driver before anything was sent
    if isinstance(exc, BulkWriteError):
        details = exc.details or {}
        errors = details.get("writeErrors") or []
        return (
            bool(errors)
            and not details.get("writeConcernErrors")
            and all(_code_is_wrong(e.get("code")) for e in errors)
        )
    if isinstance(exc, WriteConcernError):
        return False  # written, but not confirmed by enough members in time
    if isinstance(exc, OperationFailure):
        if exc.timeout or any(exc.has_error_label(label) for label in _RETRY_LABELS):
            return False
        return _code_is_wrong(exc.code)
    return False


def is_store_brownout(exc: BaseException) -> bool:
    """True for a store error that waiting can clear (every store error not permanent), also
    when it is the cause of what was raised or one of an exception group's."""
    if isinstance(exc, BaseExceptionGroup):
        return any(is_store_brownout(inner) for inner in exc.exceptions)
    if isinstance(exc, PyMongoError | BSONError):
        return isinstance(exc, ConnectionFailure) or not is_permanent(exc)
    cause = exc.__cause__
    return cause is not None and is_store_brownout(cause)


def _code_is_wrong(code: object) -> bool:
    return isinstance(code, int) and (code in REQUEST_IS_WRONG or code in _LOCATION_CODES)


async def through_brownouts(
    call: Callable[[], Awaitable[T]],
    *,
    budget_seconds: float,
    what: str,
    backoff: Backoff = Backoff(base_seconds=0.2, max_seconds=5.0),  # noqa: B008 - frozen
) -> T:
    """`call`, tried again while the store browns out, for up to `budget_seconds`.

    For a write that records work already done outside (a webhook sent): failing it would
    make that work be redone. Any other error, or a brownout past the budget, is raised.
    """
    deadline = time.monotonic() + budget_seconds
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            attempt += 1
            left = deadline - time.monotonic()
            if left <= 0 or not is_store_brownout(exc):
                raise
            delay = min(backoff.delay(attempt), left)
            log.warning("store unavailable for %s (%r), retrying in %.1fs", what, exc, delay)
            await asyncio.sleep(delay)
