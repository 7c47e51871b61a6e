"""Bluesky through Jetstream: which posts are kept, deletes, resuming and reconnecting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from ensemble_ingest.connectors.base import MentionDeleted, MentionUpsert
from ensemble_ingest.connectors.pulled import STREAMED_CONNECTORS
from ensemble_ingest.connectors.pulled.bluesky import REWIND_US, JetstreamConnector, post_uri
from ensemble_ingest.models.sources import BlueskyConfig
from ensemble_shared.retries import Backoff
from support.fake_platforms.jetstream import POST, FakeJetstream
from support.fake_platforms.runner import Consumer
from support.waiting import eventually

BRAND = "did:plc:brandacme0000000000000"
CAMILLE = "did:plc:camille00000000000000000"
NOAH = "did:plc:noah0000000000000000000"
FAST = Backoff(base_seconds=0.05, max_seconds=0.2)


@pytest.fixture
def jetstream() -> Iterator[FakeJetstream]:
    with FakeJetstream() as fake:
        yield fake


@pytest.fixture
def config(jetstream: FakeJetstream) -> BlueskyConfig:
    return BlueskyConfig(jetstream_url=jetstream.url, brand_did=BRAND, keywords=["Acme", "C++"])


async def received(consumer: Consumer, count: int) -> list[dict[str, Any]]:
    async def probe() -> int:
        return len(consumer.received)

    await eventually(probe, lambda n: n >= count, timeout=60, what=f"{count} streamed items")
    return consumer.items()


async def connected(fake: FakeJetstream, count: int = 1) -> None:
    async def probe() -> int:
        return len(fake.connections) if fake.live() else 0

    await eventually(probe, lambda n: n >= count, timeout=60, what="a subscription")


def rkey(event: dict[str, Any]) -> str:
    return str(event["commit"]["rkey"])


async def test_posts_that_mention_the_brand_or_a_keyword_are_kept_and_parsed(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    connector = STREAMED_CONNECTORS["bluesky"]
    reply_to = post_uri(BRAND, "3l3pte3p2e325")
    async with Consumer(connector, config, None) as consumer:
        await connected(jetstream)
        jetstream.publish(jetstream.post(NOAH, "acmeville is lovely"))  # not a whole word
        tagged = jetstream.post(CAMILLE, "thanks for the fix!", mentions=(BRAND,), langs=("fr",))
        jetstream.publish(tagged)
        jetstream.publish(jetstream.post(NOAH, "nothing to see", mentions=(CAMILLE,)))
        jetstream.publish(jetstream.identity(NOAH, "noah.bsky.social"))
        jetstream.publish(jetstream.post(NOAH, "liked Acme", collection="app.bsky.feed.like"))
        worded = jetstream.post(NOAH, "Switched to ACME yesterday.", reply_to=reply_to)
        jetstream.publish(worded)
        jetstream.publish(jetstream.post(CAMILLE, "I write C++ all day"))
        await received(consumer, 3)

    items = consumer.items()
    assert [rkey(i) for i in items] == [rkey(tagged), rkey(worded), rkey(items[2])]
    assert [s.cursor for s in consumer.received] == [str(i["time_us"]) for i in items]
    [first] = connector.parse(config, items[0])
    assert isinstance(first, MentionUpsert)
    mention = first.mention
    assert mention.external_id == f"at://{CAMILLE}/{POST}/{rkey(tagged)}"
    assert str(mention.url) == f"https://bsky.app/profile/{CAMILLE}/post/{rkey(tagged)}"
    assert (mention.author.id, mention.author.handle) == (CAMILLE, CAMILLE)
    assert mention.text == tagged["commit"]["record"]["text"]
    assert (mention.language, mention.in_reply_to) == ("fr", None)
    created = tagged["commit"]["record"]["createdAt"].replace("Z", "+00:00")
    assert mention.created_at == datetime.fromisoformat(created)
    [second] = connector.parse(config, items[1])
    assert isinstance(second, MentionUpsert)
    assert (second.mention.in_reply_to, second.mention.language) == (reply_to, "en")
    [subscription] = jetstream.connections
    assert subscription.params("wantedCollections") == [POST]
    assert subscription.param("cursor") is None


async def test_deletes_of_kept_posts_are_tombstones_and_other_deletes_are_not_passed_on(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    connector = JetstreamConnector(backoff=FAST)
    async with Consumer(connector, config, None) as consumer:
        await connected(jetstream)
        kept = jetstream.post(CAMILLE, "Acme rocks")
        jetstream.publish(
            kept,
            jetstream.delete(NOAH, "3l3f6nzl3cv2s"),  # a post never kept
            jetstream.delete(CAMILLE, rkey(kept)),
        )
        items = await received(consumer, 2)

    assert [i["commit"]["operation"] for i in items] == ["create", "delete"]
    assert connector.parse(config, items[1]) == [
        MentionDeleted(platform="bluesky", external_id=post_uri(CAMILLE, rkey(kept)))
    ]


async def test_a_resumed_stream_sends_its_cursor_rewound_and_skips_nothing(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    stored = jetstream.post(CAMILLE, "Acme one")
    missed = [jetstream.post(NOAH, f"Acme while stopped {n}") for n in range(3)]
    jetstream.publish(stored, *missed)
    cursor = str(stored["time_us"])

    async with Consumer(JetstreamConnector(backoff=FAST), config, cursor) as consumer:
        await received(consumer, 4)

    [subscription] = jetstream.connections
    assert subscription.param("cursor") == str(stored["time_us"] - REWIND_US)
    assert subscription.params("wantedCollections") == [POST]
    kept = [rkey(i) for i in consumer.items()]
    assert kept == [rkey(stored), *(rkey(m) for m in missed)]  # the rewind replays `stored`
    assert consumer.cursor == str(missed[-1]["time_us"])


async def test_a_dropped_connection_reconnects_from_the_last_cursor_once_each(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    async with Consumer(JetstreamConnector(backoff=FAST), config, None) as consumer:
        await connected(jetstream)
        before = jetstream.post(CAMILLE, "Acme before")
        jetstream.publish(before)
        await received(consumer, 1)
        jetstream.drop()
        during = jetstream.post(NOAH, "Acme during the drop")
        jetstream.publish(during)
        await connected(jetstream, 2)
        after = jetstream.post(NOAH, "Acme after")
        jetstream.publish(after)
        await received(consumer, 3)

    assert [rkey(i) for i in consumer.items()] == [rkey(before), rkey(during), rkey(after)]
    assert jetstream.connections[1].param("cursor") == str(before["time_us"] - REWIND_US)


async def test_a_quiet_stream_still_moves_its_cursor_with_checkpoints(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    connector = JetstreamConnector(backoff=FAST, checkpoint_every=0.0)
    async with Consumer(connector, config, None) as consumer:
        await connected(jetstream)
        quiet = jetstream.post(NOAH, "nothing about the brand")
        jetstream.publish(quiet, jetstream.delete(NOAH, rkey(quiet)))
        jetstream.publish(jetstream.identity(NOAH, "noah.bsky.social"))
        items = await received(consumer, 2)

    assert [i["kind"] for i in items] == ["commit", "identity"]  # never the unknown delete
    assert [connector.parse(config, i) for i in items] == [[], []]
    assert consumer.cursor == str(items[-1]["time_us"])


async def test_a_delete_coming_in_a_later_call_is_still_passed_on(
    jetstream: FakeJetstream, config: BlueskyConfig
) -> None:
    connector = JetstreamConnector(backoff=FAST)
    kept = jetstream.post(CAMILLE, "Acme rocks")
    async with Consumer(connector, config, None) as lease:
        await connected(jetstream)
        jetstream.publish(kept)
        await received(lease, 1)
    jetstream.publish(jetstream.delete(CAMILLE, rkey(kept)))

    # The runner opens the stream again each lease; a new process knows nothing unless told.
    async with Consumer(connector, config, lease.cursor) as next_lease:
        await received(next_lease, 2)  # the rewind replays the post, then its delete

    async def stored(uri: str) -> bool:
        return uri == post_uri(CAMILLE, rkey(kept))

    restarted = JetstreamConnector(backoff=FAST, is_known=stored)
    async with Consumer(restarted, config, lease.cursor) as after_restart:
        await received(after_restart, 2)
    forgetful = JetstreamConnector(backoff=FAST, checkpoint_every=3600)
    async with Consumer(forgetful, config, str(kept["time_us"] + REWIND_US + 1)) as unaware:
        await connected(jetstream, 4)
        jetstream.publish(jetstream.post(NOAH, "Acme marker"))
        await received(unaware, 1)

    operations = [
        [i["commit"]["operation"] for i in c.items()] for c in (next_lease, after_restart)
    ]
    assert operations == [["create", "delete"], ["create", "delete"]]
    assert [i["commit"]["operation"] for i in unaware.items()] == ["create"]  # no delete
