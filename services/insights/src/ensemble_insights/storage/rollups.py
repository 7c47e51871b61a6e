"""Rollup documents in small collections, so that reading them stays cheap on FerretDB.

FerretDB 1.24 over SQLite finds a document by `_id` by parsing the rows before it, and an
update or delete parses every row: reads and writes cost the bytes of the collection they
touch, not of the document (a 24 KB document read last of 1,000 took 150 ms, first of 100,
2-7 ms; measured). So rollups are split into collections that each hold a few documents of
one workspace:

- `d.<ws>.<year>`: the local-month documents of that year (12 per family);
- `q.<ws>.<month>`: the quarter-hour documents of that UTC month (one per family and day);
- the heavy families (a key per author or member: documents of 100 KB and more) apart, in
  `d.<ws>.<month>.<family>` (one document) and `q.<ws>.<month>.<family>`, so that no other
  read scans them;
- `now`: one document per workspace (stocks).

`<ws>` is a digest of the workspace name (any string is a workspace name); every name is
prefixed with the projection's generation, so a rebuild writes beside the old figures and
drops them at once. A range of 90 days reads one or two `d` collections in one query each.

Reads given the workspace's stamp (`storage.settings.Views`) skip the store for documents
this process already read at that stamp: the stamp is renewed after every write to the
workspace's rollups, so an unchanged stamp means unchanged documents (or a write so recent
that a read from the store could as well have missed it). A dashboard read many times
between two rounds then costs one small query, not one per collection (each a scan on
FerretDB).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ensemble_insights.models.catalog import HEAVY
from ensemble_insights.models.rollups import Content, Ref
from ensemble_insights.storage.blobs import pack, unpack
from ensemble_shared.storage import Database, Document

WRITES_IN_FLIGHT = 8
CHECKED = 20_000
"""Documents whose round at a stamp is remembered (a few dozen bytes each)."""


@lru_cache(maxsize=4096)
def workspace_key(workspace: str) -> str:
    return hashlib.sha256(workspace.encode()).hexdigest()[:16]


class Rollups:
    def __init__(self, database: Database, generation: int, *, decoded: int = 256) -> None:
        self._database = database
        self.prefix = f"g{generation}."
        # Decoding is most of a heavy read; a document's round stamp changes whenever its
        # content does, so (ref, round) names one content for good.
        self._decoded: OrderedDict[tuple[Ref, int], Content] = OrderedDict()
        self._keep = decoded
        # The round each document had (None: absent) when read at a workspace stamp.
        self._checked: OrderedDict[Ref, tuple[str, int | None]] = OrderedDict()

    def location(self, ref: Ref) -> tuple[str, str]:
        """(collection, _id) of a rollup document."""
        ws = workspace_key(ref.workspace)
        heavy = ref.family in HEAVY
        if ref.layer == "d":
            place = f"{ref.period[:7]}.{ref.family}" if heavy else ref.period[:4]
            return f"{self.prefix}d.{ws}.{place}", f"{ref.family}:{ref.zone}:{ref.period}"
        if ref.layer == "q":
            place = f"{ref.period[:7]}.{ref.family}" if heavy else ref.period[:7]
            return f"{self.prefix}q.{ws}.{place}", f"{ref.family}:{ref.period}"
        return f"{self.prefix}now", ref.workspace

    async def read(
        self, refs: Iterable[Ref], *, private: bool = False, stamp: str | None = None
    ) -> dict[Ref, tuple[int, Content]]:
        """(round, content) of each document that exists; one query per collection. Contents
        are shared with other readers (never change them) unless `private`. With the
        workspace's current `stamp`, documents already read at that stamp are not fetched."""
        wanted = list(refs)
        found: dict[Ref, tuple[int, Content]] = {}
        if stamp is not None and not private:
            wanted = [ref for ref in wanted if not self._known(ref, stamp, found)]
        by_collection: dict[str, dict[str, Ref]] = defaultdict(dict)
        for ref in wanted:
            name, doc_id = self.location(ref)
            by_collection[name][doc_id] = ref

        async def one(name: str, wanted: Mapping[str, Ref]) -> None:
            collection = self._database[name]
            if len(wanted) == 1:
                (doc_id,) = wanted
                document = await collection.find_one({"_id": doc_id})
                documents = [document] if document is not None else []
            else:
                documents = await collection.find({"_id": {"$in": list(wanted)}}).to_list(None)
            for document in documents:
                ref = wanted[document["_id"]]
                found[ref] = _decoded(document) if private else self._content(ref, document)

        await asyncio.gather(*(one(name, wanted) for name, wanted in by_collection.items()))
        if stamp is not None and not private:
            for ref in wanted:
                self._checked[ref] = (stamp, found[ref][0] if ref in found else None)
                self._checked.move_to_end(ref)
            while len(self._checked) > CHECKED:
                self._checked.popitem(last=False)
        return found

    def _known(self, ref: Ref, stamp: str, found: dict[Ref, tuple[int, Content]]) -> bool:
        """Whether `ref` was read at `stamp` and is still decoded (then put in `found`)."""
        checked = self._checked.get(ref)
        if checked is None or checked[0] != stamp:
            return False
        round_ = checked[1]
        if round_ is None:  # absent at this stamp
            return True
        content = self._decoded.get((ref, round_))
        if content is None:
            return False
        self._decoded.move_to_end((ref, round_))
        found[ref] = (round_, content)
        return True

    def _content(self, ref: Ref, document: Document) -> tuple[int, Content]:
        round_ = int(document.get("round", 0))
        known = self._decoded.get((ref, round_))
        if known is None:
            known = self._decoded[(ref, round_)] = unpack(document["blob"])
            while len(self._decoded) > self._keep:
                self._decoded.popitem(last=False)
        else:
            self._decoded.move_to_end((ref, round_))
        return round_, known

    async def write(self, contents: Mapping[Ref, Content], round_: int) -> None:
        """Replace each document with its new content, stamped with the round it includes."""
        slots = asyncio.Semaphore(WRITES_IN_FLIGHT)

        async def one(ref: Ref, content: Content) -> None:
            name, doc_id = self.location(ref)
            document = {"ws": ref.workspace, "round": round_, "blob": pack(content)}
            async with slots:
                await self._database[name].replace_one({"_id": doc_id}, document, upsert=True)

        await asyncio.gather(*(one(ref, content) for ref, content in contents.items()))

    async def quarter_collections(self, workspace: str) -> list[str]:
        """Names of a workspace's quarter-hour collections (to re-derive its days)."""
        prefix = f"{self.prefix}q.{workspace_key(workspace)}."
        return sorted(
            n for n in await self._database.list_collection_names() if n.startswith(prefix)
        )

    async def read_collection(self, name: str) -> list[tuple[str, Content]]:
        """(_id, content) of every document of one collection."""
        documents = await self._database[name].find({}).to_list(None)
        return [(str(d["_id"]), _decoded(d)[1]) for d in documents]


def _decoded(document: Document) -> tuple[int, Content]:
    content: Content = unpack(document["blob"])
    return int(document.get("round", 0)), content
