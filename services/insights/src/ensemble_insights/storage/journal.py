"""The rounds journal and state snapshots: how the projection survives a crash exactly.

A round is opened (a small record naming the staged batches it folds) before any marker is
claimed, committed (one inserted document holding its state changes and rollup deltas)
before any rollup is touched, and only then applied. So on restart: the snapshot, then the
changes of every committed round after it, rebuild the state; the last committed round is
applied again (a rollup that already has it is skipped by its `round`); an open round with no
commit is redone from the batches it names, counting the markers it had claimed as its own.

Commits are inserts into their own collection, never updates: on FerretDB an update scans its
collection, and a commit is megabytes. A snapshot lets older records and commits go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ensemble_insights.storage.blobs import pack, unpack
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection

CHUNK_BYTES = 4 * 1024 * 1024
POINTER = "snapshot"


@dataclass(frozen=True)
class Round:
    number: int
    staged: list[str]
    committed: dict[str, Any] | None  # {"changes": ..., "deltas": ...} once committed


def _id(number: int) -> str:
    return f"{number:012d}"


class Journal:
    def __init__(
        self, rounds: Collection, commits: Collection, snapshots: Collection, meta: Collection
    ) -> None:
        self._rounds = rounds
        self._commits = commits
        self._snapshots = snapshots
        self._meta = meta

    async def open(self, number: int, staged: Sequence[str]) -> None:
        """Record which batches round `number` folds (again, when it is redone)."""
        await self._rounds.delete_many({"_id": _id(number)})
        await self._rounds.insert_one(
            {"_id": _id(number), "r": number, "staged": list(staged), "at": utcnow()}
        )

    async def commit(self, number: int, payload: dict[str, Any]) -> None:
        await self._commits.insert_one(
            {"_id": _id(number), "r": number, "blob": pack(payload), "at": utcnow()}
        )

    async def after(self, number: int) -> list[Round]:
        """Rounds after `number`, oldest first (scans: on load only)."""
        opened = await self._rounds.find({"r": {"$gt": number}}).to_list(None)
        commits = {
            int(d["r"]): unpack(d["blob"])
            for d in await self._commits.find({"r": {"$gt": number}}).to_list(None)
        }
        rounds = [
            Round(int(d["r"]), list(d.get("staged", [])), commits.get(int(d["r"]))) for d in opened
        ]
        return sorted(rounds, key=lambda r: r.number)

    async def snapshot(self, number: int, entities: dict[str, Any]) -> None:
        """Save the state as of round `number` (committed and applied), then drop what it
        makes useless."""
        blob = bytes(pack(entities))
        chunks = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]
        await self._snapshots.insert_many(
            [
                {"_id": f"{_id(number)}:{n:05d}", "r": number, "n": n, "data": chunk}
                for n, chunk in enumerate(chunks)
            ]
        )
        await self._meta.replace_one(
            {"_id": POINTER}, {"r": number, "chunks": len(chunks)}, upsert=True
        )
        await self._snapshots.delete_many({"r": {"$ne": number}})
        await self._commits.delete_many({"r": {"$lte": number}})
        await self._rounds.delete_many({"r": {"$lte": number}})

    async def load(self) -> tuple[int, dict[str, Any]]:
        """(round, entities) of the latest snapshot; (0, {}) when there is none."""
        pointer = await self._meta.find_one({"_id": POINTER})
        if pointer is None:
            return 0, {}
        number = int(pointer["r"])
        documents = await self._snapshots.find({"r": number}).to_list(None)
        documents.sort(key=lambda d: int(d["n"]))
        if len(documents) != int(pointer["chunks"]):
            raise RuntimeError(f"snapshot {number} is incomplete")
        entities: dict[str, Any] = unpack(b"".join(bytes(d["data"]) for d in documents))
        return number, entities
