"""Mastodon's streaming API: live mentions and deletes, catch-up on (re)connection, redirects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ensemble_ingest.connectors.base import MentionDeleted, MentionUpsert
from ensemble_ingest.connectors.pulled import STREAMED_CONNECTORS
from ensemble_ingest.connectors.pulled.mastodon import (
    NOTIFICATIONS_PATH,
    STREAM_PATH,
    MastodonStream,
)
from ensemble_ingest.models.sources import MastodonConfig
from ensemble_shared.retries import Backoff
from support.fake_platforms.mastodon import FakeMastodon
from support.fake_platforms.runner import Consumer
from support.waiting import eventually

FAST = Backoff(base_seconds=0.05, max_seconds=0.2)


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon(heartbeat=0.2) as fake:
        yield fake


@pytest.fixture
def config(mastodon: FakeMastodon) -> MastodonConfig:
    return MastodonConfig(base_url=mastodon.base_url, access_token=mastodon.token, mode="stream")


def payload_ids(consumer: Consumer) -> list[str]:
    return [str(item["payload"]["id"]) for item in consumer.items() if item["event"] != "delete"]


async def received(consumer: Consumer, count: int) -> list[dict[str, Any]]:
    async def probe() -> int:
        return len(consumer.received)

    await eventually(probe, lambda n: n >= count, timeout=60, what=f"{count} streamed items")
    return consumer.items()


async def connected(fake: FakeMastodon, count: int = 1) -> None:
    async def probe() -> int:
        return fake.stream_count()

    await eventually(probe, lambda n: n >= count, timeout=60, what="an open stream")


async def test_the_stream_delivers_mentions_and_deletes_and_skips_the_rest(
    mastodon: FakeMastodon, config: MastodonConfig
) -> None:
    first, second = mastodon.mention("first"), mastodon.mention("second")
    connector = MastodonStream(backoff=FAST)

    async with Consumer(connector, config, first["id"]) as consumer:
        await received(consumer, 1)  # the catch-up: what came after the persisted cursor
        await connected(mastodon)
        mastodon.notify("favourite", mastodon.status("liked"))
        mastodon.publish_update(mastodon.status("a home timeline post"))
        live = mastodon.mention("live one")
        mastodon.delete_status(first["status"]["id"])
        items = await received(consumer, 3)

    assert [i["event"] for i in items] == ["notification", "notification", "delete"]
    assert payload_ids(consumer) == [second["id"], live["id"]]
    assert [s.cursor for s in consumer.received] == [second["id"], live["id"], live["id"]]
    changes = [c for item in items for c in connector.parse(config, item)]
    assert [type(c) for c in changes] == [MentionUpsert, MentionUpsert, MentionDeleted]
    upsert = changes[1]
    assert isinstance(upsert, MentionUpsert)
    assert upsert.mention.external_id == live["status"]["id"]
    assert upsert.mention.text == "@brand live one"
    assert changes[2] == MentionDeleted(platform="mastodon", external_id=first["status"]["id"])
    [stream] = mastodon.requests(STREAM_PATH)
    assert stream.headers["authorization"] == f"Bearer {mastodon.token}"
    assert stream.headers["accept"] == "text/event-stream"


async def test_a_dropped_stream_catches_up_on_what_came_while_it_was_down(
    mastodon: FakeMastodon, config: MastodonConfig
) -> None:
    async with Consumer(MastodonStream(backoff=FAST), config, None) as consumer:
        await connected(mastodon)
        before = mastodon.mention("before the outage")
        await received(consumer, 1)
        mastodon.streaming_down = True
        mastodon.drop_streams()
        missed = [mastodon.mention(f"during the outage {n}") for n in range(3)]

        async def refused() -> int:
            return sum(r.status == 503 for r in mastodon.requests(STREAM_PATH))

        await eventually(refused, lambda n: n >= 1, timeout=60, what="a refused reconnection")
        mastodon.streaming_down = False
        await received(consumer, 4)
        await connected(mastodon)
        after = mastodon.mention("after the outage")
        await received(consumer, 5)

    assert payload_ids(consumer) == [before["id"], *(m["id"] for m in missed), after["id"]]
    catch_ups = [r.param("min_id") for r in mastodon.requests(NOTIFICATIONS_PATH)]
    assert before["id"] in catch_ups  # paged forward from the cursor it had reached


async def test_a_restarted_stream_resumes_from_its_cursor_without_replaying(
    mastodon: FakeMastodon, config: MastodonConfig
) -> None:
    old = mastodon.mention("seen before the restart")
    async with Consumer(MastodonStream(backoff=FAST), config, None) as first_run:
        await received(first_run, 1)
    cursor = first_run.cursor
    missed = [mastodon.mention(f"while stopped {n}") for n in range(45)]  # over one page

    async with Consumer(STREAMED_CONNECTORS["mastodon"], config, cursor) as second_run:
        await received(second_run, 45)

    assert payload_ids(first_run) == [old["id"]]
    assert payload_ids(second_run) == [m["id"] for m in missed]
    assert second_run.cursor == missed[-1]["id"]


async def test_a_stream_on_another_host_is_followed_with_the_token() -> None:
    with (
        FakeMastodon(heartbeat=0.2) as streaming,
        FakeMastodon(streaming_host=streaming.base_url) as api,
    ):
        config = MastodonConfig(base_url=api.base_url, access_token=api.token, mode="stream")
        async with Consumer(MastodonStream(backoff=FAST), config, None) as consumer:
            await connected(streaming)
            live = streaming.mention("through the streaming host")
            await received(consumer, 1)

    assert payload_ids(consumer) == [live["id"]]
    assert [r.status for r in api.requests(STREAM_PATH)] == [301]
    [followed] = streaming.requests(STREAM_PATH)
    assert followed.headers["authorization"] == f"Bearer {api.token}"


async def test_a_refused_token_ends_the_stream_with_the_error(
    mastodon: FakeMastodon,
) -> None:
    wrong = MastodonConfig(base_url=mastodon.base_url, access_token="revoked", mode="stream")
    stream = MastodonStream(backoff=FAST).stream(wrong, None)
    with pytest.raises(httpx.HTTPStatusError) as raised:
        await anext(stream)
    assert raised.value.response.status_code == 401
