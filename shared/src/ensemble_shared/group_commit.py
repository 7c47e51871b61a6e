"""Group commit: many concurrent callers' store work as one bulk operation.

FerretDB runs one writer per database and charges ~10 ms per write however many documents it
carries (an insert_many of 500 costs about what one insert_one does). Each caller still makes
its own decisions (notify's deliveries: claim, send, outcome; ingest's webhook requests: each
its own answer); only the round trips are shared: while one bulk operation runs, the next
callers' items gather and go together in the next. No timer: an idle store gets each item at
once, a busy one gets them in batches.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """`await batch(item)` returns the item's own result of `flush(items)` (results in order)."""

    def __init__(
        self, flush: Callable[[list[T]], Awaitable[Sequence[R]]], *, limit: int = 500
    ) -> None:
        self._flush = flush
        self._limit = limit
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._worker: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._worker is None:
            # A fresh context: the worker serves every caller, not the first one's correlation.
            self._worker = asyncio.create_task(self._drain(), context=contextvars.Context())
        return await future

    async def _drain(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._pending:
                batch = self._pending[: self._limit]
                del self._pending[: self._limit]
                try:
                    results = await self._flush([item for item, _ in batch])
                except Exception as exc:  # each caller sees its write fail, as if alone
                    _fail(batch, exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # its caller may have been cancelled meanwhile
                        future.set_result(result)
        except BaseException as exc:  # cancelled (stopping): nobody may wait forever
            _fail([*batch, *self._pending], exc)
            self._pending.clear()
            raise
        finally:
            self._worker = None

    def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()


def _fail(batch: Sequence[tuple[object, asyncio.Future[R]]], exc: BaseException) -> None:
    for _, future in batch:
        if not future.done():
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
