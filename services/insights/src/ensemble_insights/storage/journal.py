"""The rounds journal and state snapshots: how the projection survives a crash exactly.

A round is opened (a small record naming the staged batches it folds) before any marker is
claimed, committed (one inserted document holding its state changes and rollup deltas)
before any rollup is touched, and only then applied. So on restart: the snapshot, then the
changes of every committed round after it, rebuild the state; the last committed round is
applied again (a rollup that already has it is skipped by its `round`); an open round with no
commit is redone from the batches it names, counting the markers it had claimed as its own.

Commits are inserts into their own collection, never updates: on FerretDB an update scans its
collection, and a commit is megabytes. A commit larger than a chunk (a round over a long
history can pass the store's 16 MB document limit) is inserted as chunks of one attempt; it
counts as committed only once every chunk of that attempt is there, so a crash midway leaves
the round open, to be redone under a new attempt. A snapshot lets older records and commits go.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bson import Binary

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
        blob = bytes(pack(payload))
        if len(blob) <= CHUNK_BYTES:
            await self._commits.insert_one(
                {"_id": _id(number), "r": number, "blob": Binary(blob), "at": utcnow()}
            )
            return
        attempt = secrets.token_hex(6)
        chunks = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)]
        await self._commits.insert_many(
            [
                {
                    "_id": f"{_id(number)}:{attempt}:{n:05d}",
                    "r": number,
                    "attempt": attempt,
                    "n": n,
                    "of": len(chunks),
                    "part": Binary(chunk),
                    "at": utcnow(),
                }
                for n, chunk in enumerate(chunks)
            ]
        )

    async def _commits_after(self, number: int) -> dict[int, Any]:
        """The committed payload of each round after `number`: a whole document, or every
        chunk of one attempt (an attempt missing chunks was cut short: not committed)."""
        commits: dict[int, Any] = {}
        parts: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for d in await self._commits.find({"r": {"$gt": number}}).to_list(None):
            if "blob" in d:
                commits[int(d["r"])] = unpack(d["blob"])
            else:
                parts[(int(d["r"]), str(d["attempt"]))].append(d)
        for (round_number, _), chunks in sorted(parts.items()):
            if round_number in commits or len(chunks) != int(chunks[0]["of"]):
                continue
            chunks.sort(key=lambda d: int(d["n"]))
            commits[round_number] = unpack(b"".join(bytes(d["part"]) for d in chunks))
        return commits

    async def after(self, number: int) -> list[Round]:
        """Rounds after `number`, oldest first (scans: on load only)."""
        opened = await self._rounds.find({"r": {"$gt": number}}).to_list(None)
        commits = await self._commits_after(number)
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
