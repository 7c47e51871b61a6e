"""Mastodon's notifications API polled: fields, forward paging, restarts, 429s, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ensemble_ingest.connectors.base import MalformedPayload, MentionUpsert
from ensemble_ingest.connectors.pulled import PULLED_CONNECTORS
from ensemble_ingest.connectors.pulled.mastodon import NOTIFICATIONS_PATH, MastodonPoller
from ensemble_ingest.models.sources import MastodonConfig
from support.fake_platforms.mastodon import FakeMastodon
from support.fake_platforms.runner import poll


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def config(mastodon: FakeMastodon) -> MastodonConfig:
    return MastodonConfig(base_url=mastodon.base_url, access_token=mastodon.token)


def ids(items: list[dict[str, object]]) -> list[str]:
    return [str(item["id"]) for item in items]


async def test_a_mention_notification_is_parsed_into_the_mention_its_status_is(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    mastodon.account("camille@pixel.example", display_name="Camille ✨", followers=1200)
    notification = mastodon.mention(
        "Love the new app & its <dark mode>!\n\nSee you at the meetup",
        acct="camille@pixel.example",
        language="fr",
        in_reply_to_id="103186038209478945",
    )
    connector = PULLED_CONNECTORS["mastodon"]

    page = await connector.fetch(config, None, http)

    assert page.items == [notification]
    [change] = connector.parse(config, page.items[0])
    assert isinstance(change, MentionUpsert)
    mention, status = change.mention, notification["status"]
    assert (mention.platform, mention.external_id) == ("mastodon", status["id"])
    assert mention.text == "@brand Love the new app & its <dark mode>!\n\nSee you at the meetup"
    assert str(mention.url) == status["url"]
    assert (mention.author.id, mention.author.handle) == (
        status["account"]["id"],
        "camille@pixel.example",
    )
    assert (mention.author.display_name, mention.author.followers) == ("Camille ✨", 1200)
    assert mention.created_at == datetime.fromisoformat(status["created_at"])
    assert (mention.in_reply_to, mention.language) == ("103186038209478945", "fr")
    [request] = mastodon.requests(NOTIFICATIONS_PATH)
    assert request.headers["authorization"] == f"Bearer {mastodon.token}"
    assert (request.params("types[]"), request.param("limit"), request.param("min_id")) == (
        ["mention"],
        "40",
        None,
    )


async def test_a_content_warning_is_kept_and_other_notification_types_are_no_mention(
    mastodon: FakeMastodon, config: MastodonConfig
) -> None:
    connector = MastodonPoller()
    warned = mastodon.mention("spoilers about the launch", spoiler_text="Launch day")
    favourite = mastodon.notify("favourite", mastodon.status("liked"))
    follow = mastodon.notify("follow")

    [change] = connector.parse(config, warned)
    assert isinstance(change, MentionUpsert)
    assert change.mention.text == "Launch day\n\n@brand spoilers about the launch"
    assert connector.parse(config, favourite) == []
    assert connector.parse(config, follow) == []
    with pytest.raises(MalformedPayload, match="status"):
        connector.parse(config, {**follow, "type": "mention"})


async def test_the_first_run_takes_the_newest_page_then_pages_forward_to_every_mention_once(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    history = [mastodon.mention(f"old {n}") for n in range(50)]
    mastodon.notify("favourite", mastodon.status("noise"))
    connector = MastodonPoller()

    first = await poll(connector, config, None, http)

    assert sorted(ids(first.items)) == sorted(ids(history[-40:]))  # a one-page backfill
    assert first.cursor == history[-1]["id"]
    assert [p.more for p in first.pages] == [False]

    fresh = [mastodon.mention(f"new {n}") for n in range(95)]
    second = await poll(connector, config, first.cursor, http)

    assert sorted(ids(second.items)) == sorted(ids(fresh))
    assert len(second.items) == len(set(ids(second.items)))
    assert [p.more for p in second.pages] == [True, True, False]
    assert [len(p.items) for p in second.pages] == [40, 40, 15]
    min_ids = [r.param("min_id") for r in mastodon.requests(NOTIFICATIONS_PATH)[1:]]
    assert min_ids == [history[-1]["id"], fresh[39]["id"], fresh[79]["id"]]
    assert second.cursor == fresh[-1]["id"]


async def test_mentions_arriving_while_paging_are_read_and_an_idle_poll_moves_nothing(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    connector = MastodonPoller()
    start = (await poll(connector, config, None, http)).cursor
    batch = [mastodon.mention(f"m{n}") for n in range(60)]

    page = await connector.fetch(config, start, http)
    assert page.more
    late = [mastodon.mention(f"late {n}") for n in range(5)]  # while the runner stores page 1
    rest = await poll(connector, config, page.cursor, http)

    assert sorted(ids(page.items + rest.items)) == sorted(ids(batch + late))
    before = len(mastodon.requests(NOTIFICATIONS_PATH))
    idle = await connector.fetch(config, rest.cursor, http)
    assert (idle.items, idle.cursor, idle.more) == ([], None, False)
    assert len(mastodon.requests(NOTIFICATIONS_PATH)) == before + 1


async def test_a_restart_from_the_persisted_cursor_neither_skips_nor_loops(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    start = (await poll(MastodonPoller(), config, None, http)).cursor
    batch = [mastodon.mention(f"m{n}") for n in range(100)]

    died = await poll(MastodonPoller(), config, start, http, stop_after=1)
    # A process that died before persisting re-reads the same page: duplicates, no gap.
    replayed = await poll(MastodonPoller(), config, start, http, stop_after=1)
    resumed = await poll(MastodonPoller(), config, died.cursor, http)
    again = await poll(MastodonPoller(), config, resumed.cursor, http)

    assert ids(replayed.items) == ids(died.items)
    assert sorted(ids(died.items + resumed.items)) == sorted(ids(batch))
    assert (again.items, again.cursor) == ([], resumed.cursor)


async def test_an_account_never_mentioned_starts_from_zero_and_misses_nothing(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    empty = await MastodonPoller().fetch(config, None, http)
    assert (empty.items, empty.cursor) == ([], "0")

    batch = [mastodon.mention(f"m{n}") for n in range(55)]  # more than one page
    polled = await poll(MastodonPoller(), config, empty.cursor, http)

    assert sorted(ids(polled.items)) == sorted(ids(batch))


async def test_a_429_is_an_empty_page_with_retry_after_and_nothing_is_lost(
    mastodon: FakeMastodon, config: MastodonConfig, http: httpx.AsyncClient
) -> None:
    start = (await poll(MastodonPoller(), config, None, http)).cursor
    batch = [mastodon.mention(f"m{n}") for n in range(3)]
    mastodon.throttle(1, retry_after=30)

    refused = await MastodonPoller().fetch(config, start, http)

    assert (refused.items, refused.cursor, refused.more) == ([], None, False)
    assert refused.rate.retry_after is not None
    assert (
        25 <= refused.rate.retry_after <= 30
    )  # from X-RateLimit-Reset: Mastodon sends no Retry-After
    assert refused.rate.remaining == 0
    after = await MastodonPoller().fetch(config, start, http)
    assert sorted(ids(after.items)) == sorted(ids(batch))
    assert after.rate.retry_after is None
    assert after.rate.remaining is not None
    assert after.rate.remaining < mastodon.rate_limit
    assert after.rate.reset_at is not None
    assert after.rate.reset_at - datetime.now(UTC) <= timedelta(minutes=5)


async def test_a_refused_token_raises_for_the_runner_to_record(
    mastodon: FakeMastodon, http: httpx.AsyncClient
) -> None:
    wrong = MastodonConfig(base_url=mastodon.base_url, access_token="revoked")
    with pytest.raises(httpx.HTTPStatusError) as raised:
        await MastodonPoller().fetch(wrong, None, http)
    assert raised.value.response.status_code == 401
