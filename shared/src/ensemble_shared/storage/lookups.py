"""Reading one document by id within a workspace, the way FerretDB serves it fast.

FerretDB 1.24 over SQLite answers a filter of `_id` alone from its primary key; add any other
field (`workspace`, `person`) and the read becomes a scan of the collection. So ownership is
checked on the document instead of in the filter: same answer, one keyed read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ensemble_shared.storage import Collection, Document


async def find_owned(
    collection: Collection,
    document_id: str,
    workspace: str,
    projection: Mapping[str, int] | None = None,
    **fields: Any,
) -> Document | None:
    """The document with this `_id` if it is `workspace`'s (and holds `fields`), else None."""
    checked = {"workspace": workspace, **fields}
    if projection is not None and any(projection.values()):  # inclusion: keep what we check
        projection = {**projection, **dict.fromkeys(checked, 1)}
    document = await collection.find_one({"_id": document_id}, projection)
    if document is None or any(document.get(k) != v for k, v in checked.items()):
        return None
    return document
