"""A document exactly as the store holds it: what a copy of the database would show."""

from __future__ import annotations

from typing import Any

from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client


async def stored(url: str, database: str, collection: str, document_id: str) -> dict[str, Any]:
    client = create_client(MongoSettings(url=url))
    try:
        found = await client[database][collection].find_one({"_id": document_id})
    finally:
        client.close()
    assert found is not None, f"no {collection} {document_id} in {database}"
    return dict(found)
