"""Reddit search listings: fields, walking back with `after`, late posts, restarts, 429s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from ensemble_ingest.connectors.base import MentionUpsert
from ensemble_ingest.connectors.pulled import PULLED_CONNECTORS
from ensemble_ingest.connectors.pulled.reddit import RedditConnector
from ensemble_ingest.models.sources import RedditConfig
from support.fake_platforms.reddit import FakeReddit
from support.fake_platforms.runner import poll

AGENT = "EnsembleTest/1.0 (by u/brand)"


@pytest.fixture
def reddit() -> Iterator[FakeReddit]:
    with FakeReddit() as fake:
        yield fake


@pytest.fixture
def config(reddit: FakeReddit) -> RedditConfig:
    return RedditConfig(base_url=reddit.base_url, keywords=["Acme", "acme app"], user_agent=AGENT)


def names(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["data"]["name"]) for item in items]


def posts(reddit: FakeReddit, count: int, title: str = "Acme post") -> list[str]:
    return [reddit.post(f"{title} {n}")["name"] for n in range(count)]


async def test_a_post_is_parsed_into_a_mention_and_the_search_is_asked_as_documented(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    post = reddit.post("Is the Acme app any good?", "Thinking of switching & <saving>.")
    reddit.post("Unrelated gardening thread")
    connector = PULLED_CONNECTORS["reddit"]

    page = await connector.fetch(config, None, http)

    assert names(page.items) == [post["name"]]
    [change] = connector.parse(config, page.items[0])
    assert isinstance(change, MentionUpsert)
    mention = change.mention
    assert (mention.platform, mention.external_id) == ("reddit", post["name"])
    assert mention.text == "Is the Acme app any good?\n\nThinking of switching & <saving>."
    assert str(mention.url) == f"{reddit.base_url}{post['permalink']}"
    assert (mention.author.id, mention.author.handle) == (post["author_fullname"], "camille")
    assert mention.created_at == datetime.fromtimestamp(post["created_utc"], UTC)
    [request] = reddit.requests()
    assert request.path == "/search.json"
    assert request.param("q") == 'Acme OR "acme app"'
    assert (request.param("sort"), request.param("limit"), request.param("raw_json")) == (
        "new",
        "100",
        "1",
    )
    assert request.param("restrict_sr") is None
    assert request.headers["user-agent"] == AGENT


async def test_subreddits_scope_the_search_or_are_read_whole_without_keywords(
    reddit: FakeReddit, http: httpx.AsyncClient
) -> None:
    inside = reddit.post("Acme in our sub", subreddit="brandfans")
    reddit.post("Acme elsewhere", subreddit="gardening")
    plain = reddit.post("no keyword here", subreddit="gadgets")
    subs = ["brandfans", "r/gadgets"]
    scoped = RedditConfig(base_url=reddit.base_url, keywords=["Acme"], subreddits=subs)
    whole = RedditConfig(base_url=reddit.base_url, keywords=[], subreddits=subs)
    connector = RedditConnector()

    searched = await connector.fetch(scoped, None, http)
    listed = await connector.fetch(whole, None, http)

    assert names(searched.items) == [inside["name"]]
    assert names(listed.items) == [plain["name"], inside["name"]]
    search, new = reddit.requests()
    assert (search.path, search.param("restrict_sr")) == ("/r/brandfans+gadgets/search.json", "1")
    assert (new.path, new.param("q")) == ("/r/brandfans+gadgets/new.json", None)
    with pytest.raises(ValueError, match="keywords or subreddits"):
        await connector.fetch(RedditConfig(base_url=reddit.base_url, keywords=[]), None, http)


async def test_walking_back_reaches_every_new_post_once_and_stops_at_what_was_read(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    for n in range(150):  # old history, well below any lookback
        reddit.post(f"Acme archive {n}", created_utc=1_500_000_000 + n)
    connector = RedditConnector(lookback=60)
    first = await poll(connector, config, None, http)
    assert len(first.items) == 100
    assert [p.more for p in first.pages] == [False]

    fresh = posts(reddit, 250)
    second = await poll(connector, config, first.cursor, http)

    assert sorted(names(second.items)) == sorted(fresh)
    assert len(set(names(second.items))) == 250
    assert [p.more for p in second.pages] == [True, True, False]
    afters = [r.param("after") for r in reddit.requests()[1:]]
    assert afters[0] is None
    assert afters[1:] == [fresh[-100], fresh[-200]]
    assert json.loads(second.cursor or "")["walk"] is None


async def test_posts_arriving_during_a_walk_are_read_on_the_next_pass(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    connector = RedditConnector()
    start = (await poll(connector, config, None, http)).cursor
    batch = posts(reddit, 150)

    page = await connector.fetch(config, start, http)
    assert page.more
    late = posts(reddit, 5, "Acme late")
    rest = await poll(connector, config, page.cursor, http)
    following = await poll(connector, config, rest.cursor, http)
    idle = await poll(connector, config, following.cursor, http)

    assert sorted(names(page.items + rest.items)) == sorted(batch)
    assert sorted(names(following.items)) == sorted(late)
    assert idle.items == []
    assert len(idle.pages) == 1


async def test_a_restart_from_the_persisted_cursor_neither_skips_nor_loops(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    start = (await poll(RedditConnector(), config, None, http)).cursor
    batch = posts(reddit, 250)

    died = await poll(RedditConnector(), config, start, http, stop_after=1)
    resumed = await poll(RedditConnector(), config, died.cursor, http)
    again = await poll(RedditConnector(), config, resumed.cursor, http)

    assert sorted(names(died.items + resumed.items)) == sorted(batch)
    assert len(resumed.pages) == 2
    assert again.items == []
    assert len(again.pages) == 1


async def test_a_walk_whose_anchor_is_removed_starts_again_from_the_top(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    connector = RedditConnector()
    start = (await poll(connector, config, None, http)).cursor
    batch = posts(reddit, 250)
    died = await poll(connector, config, start, http, stop_after=1)
    anchor = json.loads(died.cursor or "")["walk"]["after"]
    reddit.remove(next(p for p in reddit.posts if p["name"] == anchor))

    resumed = await poll(connector, config, died.cursor, http)

    assert sorted(names(died.items + resumed.items)) == sorted(batch)
    assert len(names(died.items + resumed.items)) == 250  # `seen` kept the restart duplicate-free


async def test_a_post_indexed_late_is_still_picked_up_within_the_lookback(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    connector = RedditConnector()
    start = (await poll(connector, config, None, http)).cursor
    slow = reddit.post("Acme, indexed late", indexed=False)
    quick = posts(reddit, 3)

    first = await poll(connector, config, start, http)
    reddit.index(slow)
    second = await poll(connector, config, first.cursor, http)

    assert sorted(names(first.items)) == sorted(quick)
    assert names(second.items) == [slow["name"]]


async def test_a_429_is_an_empty_page_with_retry_after_and_nothing_is_lost(
    reddit: FakeReddit, config: RedditConfig, http: httpx.AsyncClient
) -> None:
    start = (await poll(RedditConnector(), config, None, http)).cursor
    batch = posts(reddit, 3)
    reddit.throttle(1, retry_after=7)

    refused = await RedditConnector().fetch(config, start, http)
    after = await RedditConnector().fetch(config, start, http)

    assert (refused.items, refused.cursor) == ([], None)
    assert refused.rate.retry_after is not None
    assert 6 <= refused.rate.retry_after <= 7
    assert refused.rate.remaining == 0
    assert sorted(names(after.items)) == sorted(batch)
    assert after.rate.remaining == 100 - len(reddit.requests())
    assert after.rate.retry_after is None
    assert after.rate.reset_at is not None
