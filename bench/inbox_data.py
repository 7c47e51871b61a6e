"""A million mentions as ingest stores them, over 100 workspaces, for the inbox-at-scale bench.

Each mention is built with ingest's own model (`Mention`), turned into its stored document by the
repository's `_document` and given its two arrival events by the outbox (`Outbox.stage`, the
`_outbox` entries every stored mention carries for its timeline). They are built once into a
BSON file, then inserted into each backend in batches, each batch's workspaces marked first as
`MentionRepository.insert_new` does.
Triage's verdict is drawn from fixed distributions rather than computed (the reads, not triage,
are measured). One workspace holds a tenth of all mentions (the queried one); the others share
the rest with a long tail; `EMPTY` holds none.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bson
from bson.binary import UuidRepresentation
from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from ensemble_ingest.models.mentions import InboxStatus, Mention, mention_id
from ensemble_ingest.services.pipeline import _arrival_events
from ensemble_ingest.storage.mentions import _document
from ensemble_ingest.storage.workspaces import WorkspaceMarks
from ensemble_shared.events import Author, TriageData
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Collection, Document

QUERIED = "ws-000"
EMPTY = "ws-empty"
WORKSPACES = 100
DAYS = 90
BATCH = 1000
NOW = datetime(2026, 12, 1, tzinfo=UTC)

PLATFORMS = ["x", "instagram", "facebook", "mastodon", "bluesky", "forum", "linkedin", "tiktok"]
PLATFORM_WEIGHTS = [30, 20, 15, 8, 7, 10, 6, 4]
STATUSES: list[InboxStatus] = ["new", "assigned", "replied", "closed"]
STATUS_WEIGHTS = [25, 15, 30, 30]
SENTIMENTS = ["positive", "neutral", "negative"]
SENTIMENT_WEIGHTS = [30, 50, 20]
ASSIGNEES = [f"agent-{n}" for n in range(12)]
TAGS = [f"tag-{n}" for n in range(20)]
TEAMS = ["support", "marketing", "legal", "product"]
WORDS = [
    *("order", "parcel", "app", "update", "login", "delivery", "refund", "store", "staff"),
    *("price", "support", "chat", "account", "password", "shipping", "return", "exchange"),
    *("warranty", "battery", "screen", "colour", "size", "stock", "promo", "code", "merci"),
    *("commande", "livraison", "magasin", "application", "remboursement", "retour", "prix"),
]
SENTENCES = [
    "I have been a loyal customer for years and the last update keeps logging me out.",
    "Bonjour, la livraison est arrivée avec deux jours de retard mais le livreur était aimable.",
    "Your support chat told me to wait for a fix, and nothing changed since.",
    "Merci pour l'accueil au magasin, la vendeuse a pris le temps de tout expliquer.",
    "The new colours look great, when will they be in stock in my size?",
    "Impossible de valider mon panier avec le code promo reçu par email.",
]


def _text(rng: random.Random) -> str:
    """300-900 characters: a few sentences and a handful of subject words."""
    parts = rng.choices(SENTENCES, k=rng.randint(3, 9))
    words = " ".join(rng.choices(WORDS, k=rng.randint(4, 12)))
    return f"@brand {' '.join(parts)} {words}"


def workspace_sizes(total: int) -> dict[str, int]:
    """A tenth in the queried workspace, the rest over 99 others (weights 1/rank^0.5)."""
    queried = total // 10
    weights = [1 / (rank**0.5) for rank in range(1, WORKSPACES)]
    scale = (total - queried) / sum(weights)
    sizes = {f"ws-{n:03d}": int(w * scale) for n, w in enumerate(weights, start=1)}
    sizes[QUERIED] = queried
    sizes["ws-001"] += total - sum(sizes.values())
    return sizes


def mentions(workspace: str, count: int, seed: int) -> Iterator[Mention]:
    """`count` mentions of `workspace`, arrival times over the last DAYS days."""
    rng = random.Random(seed)
    for n in range(count):
        received = NOW - timedelta(seconds=rng.uniform(0, DAYS * 86_400))
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        platform = rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        handle = f"user{rng.randint(1, 20_000)}"
        external_id = f"{platform}-{n}"
        yield Mention(
            id=mention_id(workspace, platform, external_id),
            workspace=workspace,
            platform=platform,
            external_id=external_id,
            url=f"https://{platform}.example.org/p/{workspace}-{n}",
            author=Author(id=handle, handle=handle, display_name=handle.title()),
            text=_text(rng),
            language=rng.choice(["en", "fr"]),
            created_at=received - timedelta(seconds=rng.uniform(1, 120)),
            source_id="bench-source",
            raw_id=f"raw-{workspace}-{n}",
            received_at=received,
            triage=TriageData(
                language="en",
                sentiment=rng.choices(SENTIMENTS, SENTIMENT_WEIGHTS)[0],
                sentiment_score=round(rng.uniform(-1, 1), 3),
                tags=tuple(sorted(set(rng.choices(TAGS, k=rng.choice([0, 1, 1, 2, 3]))))),
                priority=rng.choices(["low", "normal", "high", "urgent"], [20, 60, 15, 5])[0],
                team=rng.choice([None, *TEAMS]),
            ),
            status=status,
            assignee=None if status == "new" else rng.choice(ASSIGNEES),
            deleted_at=received if rng.random() < 0.01 else None,
        )


def documents(outbox: Outbox, workspace: str, count: int, seed: int) -> Iterator[Document]:
    """The stored documents, exactly as `MentionRepository.insert_new` writes them."""
    for mention in mentions(workspace, count, seed):
        yield outbox.stage(_document(mention), _arrival_events(mention))


def prepare(path: Path, outbox: Outbox, total: int) -> float:
    """Write every workspace's documents to `path` as BSON, once for every backend (building
    them is slower than storing them); returns the seconds it took."""
    started = time.perf_counter()
    options: CodecOptions[Document] = CodecOptions(
        tz_aware=True, uuid_representation=UuidRepresentation.STANDARD
    )
    with path.open("wb") as out:
        for seed, (workspace, count) in enumerate(sorted(workspace_sizes(total).items())):
            for document in documents(outbox, workspace, count, seed):
                out.write(bson.encode(document, codec_options=options))
    return time.perf_counter() - started


async def load(collection: Collection, marks: WorkspaceMarks, path: Path) -> float:
    """Store the prepared documents in batches of BATCH, each batch's workspaces marked first
    (as `insert_new` does), the next batch read while the previous one is written; returns
    the seconds it took."""
    started = time.perf_counter()
    pending: asyncio.Task[object] | None = None
    with path.open("rb") as source:
        raw = bson.decode_file_iter(source, CodecOptions(document_class=RawBSONDocument))
        while batch := list(itertools.islice(raw, BATCH)):
            if pending is not None:
                await pending
            await marks.mark({document["workspace"] for document in batch})
            pending = asyncio.ensure_future(collection.insert_many(batch, ordered=False))
    if pending is not None:
        await pending
    return time.perf_counter() - started
