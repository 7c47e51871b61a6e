"""Idempotent writes: a unique key decides, so a redelivered event changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ensemble_shared.storage import DUPLICATE_KEY, BulkWriteError, Collection, Document


async def insert_new(collection: Collection, documents: Sequence[Document]) -> list[Any]:
    """Insert documents whose unique keys are new; returns the `_id`s actually inserted.

    Duplicates (an event seen before, a natural key already stored) are skipped, any other
    write error is raised. One unordered round trip however many documents there are.
    """
    if not documents:
        return []
    try:
        await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        others = [e for e in errors if e.get("code") != DUPLICATE_KEY]
        if others:
            raise
        skipped = {e["index"] for e in errors}
        return [doc["_id"] for i, doc in enumerate(documents) if i not in skipped]
    return [doc["_id"] for doc in documents]
