"""The driver boundary: the only package that imports the MongoDB driver.

Motor is in maintenance and MongoDB points to PyMongo's AsyncMongoClient; every service reaches
the store through the names exported here, so a switch is a change of this package alone. It
was tried (December 2026) and not made: on FerretDB, `bench/driver.py` measured
AsyncMongoClient at 0.77x Motor on many small concurrent operations and 0.81x on `insert_many`,
and a task cancelled while its AsyncMongoClient call waited (a service stopping) could hang
the shutdown, where Motor's thread-pool futures cancel at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorCollection, AsyncIOMotorDatabase
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import BulkWriteError, DuplicateKeyError

from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage.errors import (
    STORE_ERRORS,
    is_permanent,
    is_store_brownout,
    through_brownouts,
)

Document = dict[str, Any]
Client = AsyncIOMotorClient[Document]
Database = AsyncIOMotorDatabase[Document]
Collection = AsyncIOMotorCollection[Document]

DUPLICATE_KEY = 11000

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "DUPLICATE_KEY",
    "STORE_ERRORS",
    "BulkWriteError",
    "Client",
    "Collection",
    "Database",
    "Document",
    "DuplicateKeyError",
    "Index",
    "create_client",
    "ensure_indexes",
    "is_permanent",
    "is_store_brownout",
    "ping",
    "through_brownouts",
]


def create_client(settings: MongoSettings) -> Client:
    """One client per process; it pools connections and is safe to share. Every call is
    bounded (see `MongoSettings`)."""
    return AsyncIOMotorClient(
        settings.url,
        serverSelectionTimeoutMS=settings.timeout_ms,
        connectTimeoutMS=settings.connect_timeout_ms,
        socketTimeoutMS=settings.socket_timeout_ms,
        waitQueueTimeoutMS=settings.wait_queue_timeout_ms,
        tz_aware=True,
        uuidRepresentation="standard",
    )


async def ping(client: Client) -> None:
    await client.admin.command("ping")


@dataclass(frozen=True)
class Index:
    """An index declared in code, next to the repository that relies on it."""

    keys: Sequence[tuple[str, int]]
    name: str
    unique: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def model(self) -> IndexModel:
        return IndexModel(list(self.keys), name=self.name, unique=self.unique, **self.options)


async def ensure_indexes(database: Database, declared: Mapping[str, Iterable[Index]]) -> None:
    """Create every declared index (idempotent); called once at service start.

    One command per index: FerretDB 1.24 drops the connection (a server-side panic) when one
    createIndexes command names several indexes that already exist.
    """
    for collection, indexes in declared.items():
        for index in indexes:
            await database[collection].create_indexes([index.model()])
