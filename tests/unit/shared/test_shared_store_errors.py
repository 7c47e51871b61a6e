"""Store errors sorted once: only "the request is wrong" is permanent, a brownout is waited out."""

from __future__ import annotations

import pytest
from bson.errors import InvalidDocument
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    CursorNotFound,
    DocumentTooLarge,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    NotPrimaryError,
    OperationFailure,
    ServerSelectionTimeoutError,
    WaitQueueTimeoutError,
    WriteConcernError,
    WTimeoutError,
)

from ensemble_shared.retries import Backoff
from ensemble_shared.storage import is_permanent, is_store_brownout, through_brownouts


def bulk(*codes: int, write_concern: bool = False) -> BulkWriteError:
    details = {
        "writeErrors": [{"index": i, "code": c, "errmsg": f"e{c}"} for i, c in enumerate(codes)],
        "writeConcernErrors": [{"code": 64, "errmsg": "waiting for replication timed out"}]
        if write_concern
        else [],
    }
    return BulkWriteError(details)


def labelled(code: int, label: str) -> OperationFailure:
    return OperationFailure("x", code, {"ok": 0, "code": code, "errorLabels": [label]})


BROWNOUTS = [
    AutoReconnect("connection reset"),
    NetworkTimeout("timed out"),
    ServerSelectionTimeoutError("no server"),
    WaitQueueTimeoutError("pool exhausted"),
    NotPrimaryError("not primary", {"code": 10107}),
    ExecutionTimeout("operation exceeded time limit", 50),
    WTimeoutError("waiting for replication timed out", 64),
    WriteConcernError("write concern not satisfied", 100),
    OperationFailure("interrupted at shutdown", 11600),
    OperationFailure("database is locked", 1),  # FerretDB over a busy SQLite
    OperationFailure("no code given"),
    CursorNotFound("cursor id not found", 43),
    labelled(2, "RetryableWriteError"),
    bulk(1),
    bulk(11000, 91),
    bulk(11000, write_concern=True),
]
REQUEST_IS_WRONG = [
    DuplicateKeyError("E11000 duplicate key", 11000),
    OperationFailure("unknown operator: $bogus", 2),
    OperationFailure("$in needs an array", 17276),
    OperationFailure("not implemented in FerretDB", 238),
    OperationFailure("Document failed validation", 121),
    bulk(11000, 11000),
    bulk(11000, 2),
    DocumentTooLarge("BSON document too large"),
    InvalidDocument("cannot encode object"),
]


@pytest.mark.parametrize("error", BROWNOUTS, ids=repr)
def test_a_store_brownout_is_waited_out(error: Exception) -> None:
    assert is_store_brownout(error)
    assert not is_permanent(error)


@pytest.mark.parametrize("error", REQUEST_IS_WRONG, ids=repr)
def test_an_error_about_the_request_is_permanent(error: Exception) -> None:
    assert is_permanent(error)
    assert not is_store_brownout(error)


def test_a_brownout_raised_as_the_cause_of_another_error_is_still_a_brownout() -> None:
    wrapped = RuntimeError("could not load the rules")
    wrapped.__cause__ = AutoReconnect("connection reset")  # what `raise ... from exc` sets
    assert is_store_brownout(wrapped)


def test_a_brownout_in_an_exception_group_makes_the_group_a_brownout() -> None:
    group = ExceptionGroup("tasks", [ValueError("bad"), NetworkTimeout("timed out")])
    assert is_store_brownout(group)
    assert not is_store_brownout(ExceptionGroup("tasks", [ValueError("bad")]))


def test_errors_that_are_not_the_store_s_are_neither() -> None:
    for error in (RuntimeError("bug"), ValueError("bad"), KeyError("k")):
        assert not is_store_brownout(error)
        assert not is_permanent(error)


class Store:
    """A write the store refuses with `errors`, in order, then takes."""

    def __init__(self, *errors: Exception) -> None:
        self.errors, self.calls = list(errors), 0

    async def write(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "written"


QUICK = Backoff(base_seconds=0.001, max_seconds=0.002)


async def test_a_result_is_written_through_a_brownout() -> None:
    store = Store(NetworkTimeout("timed out"), AutoReconnect("reset"))
    written = await through_brownouts(store.write, budget_seconds=5, what="w", backoff=QUICK)
    assert (written, store.calls) == ("written", 3)


async def test_an_error_about_the_request_is_raised_at_once() -> None:
    store = Store(DuplicateKeyError("E11000", 11000))
    with pytest.raises(DuplicateKeyError):
        await through_brownouts(store.write, budget_seconds=5, what="w", backoff=QUICK)
    assert store.calls == 1


async def test_a_brownout_past_the_budget_is_raised() -> None:
    store = Store(*[NetworkTimeout("timed out")] * 10_000)
    with pytest.raises(NetworkTimeout):
        await through_brownouts(store.write, budget_seconds=0.05, what="w", backoff=QUICK)
    assert 1 < store.calls < 10_000
