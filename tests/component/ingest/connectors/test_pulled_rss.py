"""RSS and Atom feeds: fields, keyword filter, conditional requests, new entries only, 429s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import pytest

from ensemble_ingest.connectors.base import MalformedPayload, MentionUpsert
from ensemble_ingest.connectors.pulled import PULLED_CONNECTORS
from ensemble_ingest.connectors.pulled.rss import RssConnector
from ensemble_ingest.models.sources import RssConfig
from support.fake_platforms.rss import FEED_PATH, FakeFeed
from support.fake_platforms.runner import poll


@pytest.fixture
def feed() -> Iterator[FakeFeed]:
    with FakeFeed() as fake:
        yield fake


def config_for(feed: FakeFeed, keywords: list[str] | None = None) -> RssConfig:
    return RssConfig(feed_url=feed.url, keywords=keywords if keywords is not None else ["Acme"])


def titles(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["title"]) for item in items]


@pytest.mark.parametrize("kind", ["rss", "atom"])
async def test_an_entry_is_parsed_into_a_mention(
    kind: Literal["rss", "atom"], http: httpx.AsyncClient
) -> None:
    with FakeFeed(kind) as feed:
        published = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
        entry = feed.entry(
            "Acme opens a store",
            "<p>The <b>Acme</b> store &amp; café</p><p>Opening on <a href='/x'>Monday</a>.</p>",
            author="newsroom@daily.example (Jo Writer)" if kind == "rss" else "Jo Writer",
            published=published,
        )
        config = config_for(feed)
        connector = PULLED_CONNECTORS["rss"]

        page = await connector.fetch(config, None, http)

    [item] = page.items
    assert json.loads(json.dumps(item)) == item  # archived as JSON, dates as ISO strings
    [change] = connector.parse(config, item)
    assert isinstance(change, MentionUpsert)
    mention = change.mention
    assert (mention.platform, mention.external_id) == ("rss", entry.guid)
    assert mention.text == "Acme opens a store\n\nThe Acme store & café\n\nOpening on Monday."
    assert str(mention.url) == entry.link
    assert mention.author.handle == "Jo Writer"
    assert mention.created_at == published


async def test_entries_without_a_keyword_are_left_out_and_all_are_kept_without_keywords(
    feed: FakeFeed, http: httpx.AsyncClient
) -> None:
    feed.entry("Acme raises prices")
    feed.entry("Weather: rain", "<p>nothing about acmeville</p>")
    feed.entry("Markets", "<p>ACME up 3%</p>")

    keyed = await RssConnector().fetch(config_for(feed), None, http)
    everything = await RssConnector().fetch(config_for(feed, []), None, http)

    assert titles(keyed.items) == ["Markets", "Acme raises prices"]
    assert titles(everything.items) == ["Markets", "Weather: rain", "Acme raises prices"]
    weather = everything.items[1]
    assert RssConnector().parse(config_for(feed), weather) == []


@pytest.mark.parametrize("validators", ["etag", "last_modified", "none"])
async def test_only_new_entries_are_returned_and_an_unchanged_feed_costs_a_304(
    validators: str, http: httpx.AsyncClient
) -> None:
    etag, modified = validators == "etag", validators == "last_modified"
    with FakeFeed(etag=etag, last_modified=modified) as feed:
        config = config_for(feed)
        feed.entry("Acme one")
        first = await poll(RssConnector(), config, None, http)
        unchanged = await RssConnector().fetch(config, first.cursor, http)
        feed.entry("Acme two")
        feed.entry("Acme three")
        second = await poll(RssConnector(), config, first.cursor, http)
        requests = feed.requests(FEED_PATH)

    assert titles(first.items) == ["Acme one"]
    assert unchanged.items == []
    assert titles(second.items) == ["Acme three", "Acme two"]
    if validators == "none":
        assert [r.status for r in requests] == [200, 200, 200]
        assert unchanged.cursor is not None  # re-read, and nothing new in it
    else:
        assert [r.status for r in requests] == [200, 304, 200]
        assert unchanged.cursor is None
        header = "if-none-match" if etag else "if-modified-since"
        assert header in requests[1].headers


async def test_a_restart_from_the_persisted_cursor_neither_skips_nor_repeats(
    feed: FakeFeed, http: httpx.AsyncClient
) -> None:
    config = config_for(feed)
    for n in range(3):
        feed.entry(f"Acme {n}")
    stored = await RssConnector().fetch(config, None, http)
    feed.entry("Acme while down")

    # Died before persisting: the same entries again (duplicates), plus the new one.
    replayed = await RssConnector().fetch(config, None, http)
    resumed = await RssConnector().fetch(config, stored.cursor, http)
    again = await RssConnector().fetch(config, resumed.cursor, http)

    assert titles(stored.items) == ["Acme 2", "Acme 1", "Acme 0"]
    assert titles(replayed.items) == ["Acme while down", *titles(stored.items)]
    assert titles(resumed.items) == ["Acme while down"]
    assert again.items == []


async def test_an_entry_that_leaves_the_window_is_not_mistaken_for_new_ones(
    http: httpx.AsyncClient,
) -> None:
    with FakeFeed(window=3) as feed:
        config = config_for(feed)
        for n in range(3):
            feed.entry(f"Acme {n}")
        first = await RssConnector().fetch(config, None, http)
        feed.entry("Acme 3")  # pushes "Acme 0" out of the document
        second = await RssConnector().fetch(config, first.cursor, http)

    assert titles(second.items) == ["Acme 3"]
    assert len(json.loads(second.cursor or "")["seen"]) == 3  # as small as the feed


async def test_an_entry_without_guid_is_keyed_by_its_link_and_one_without_date_is_malformed(
    feed: FakeFeed, http: httpx.AsyncClient
) -> None:
    config = config_for(feed)
    entry = feed.entry("Acme without guid", guid=None, author=None)

    [item] = (await RssConnector().fetch(config, None, http)).items
    [change] = RssConnector().parse(config, item)

    assert isinstance(change, MentionUpsert)
    assert change.mention.external_id == entry.link
    assert change.mention.author.handle == "127.0.0.1"  # no author: the site
    undated = {k: v for k, v in item.items() if not k.startswith("published")}
    with pytest.raises(MalformedPayload, match="no date"):
        RssConnector().parse(config, undated)


async def test_a_429_is_an_empty_page_with_retry_after_and_nothing_is_lost(
    feed: FakeFeed, http: httpx.AsyncClient
) -> None:
    config = config_for(feed)
    feed.entry("Acme news")
    feed.throttle(1, retry_after=120)

    refused = await RssConnector().fetch(config, None, http)
    after = await RssConnector().fetch(config, None, http)

    assert (refused.items, refused.cursor, refused.rate.retry_after) == ([], None, 120.0)
    assert titles(after.items) == ["Acme news"]


async def test_a_server_error_raises_for_the_runner_to_record(http: httpx.AsyncClient) -> None:
    with FakeFeed() as feed:
        config = RssConfig(feed_url=feed.base_url + "/missing.xml", keywords=[])
        with pytest.raises(httpx.HTTPStatusError) as raised:
            await RssConnector().fetch(config, None, http)
    assert raised.value.response.status_code == 404
