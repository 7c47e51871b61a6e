"""Rate-limit headers of each platform read into one RateLimit; a 429 as an empty page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ensemble_ingest.connectors.base import RateLimit
from ensemble_ingest.connectors.pulled.ratelimit import (
    DEFAULT_RETRY_AFTER,
    parse_rate_limit,
    refusal,
)

NOW = datetime(2026, 11, 25, 10, 0, 0, tzinfo=UTC)


def test_mastodon_headers_reset_at_an_iso_date() -> None:
    rate = parse_rate_limit(
        {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "297",
            "X-RateLimit-Reset": "2026-11-25T10:05:00.000000Z",
        },
        now=NOW,
    )
    assert rate == RateLimit(remaining=297, reset_at=NOW + timedelta(minutes=5))


def test_reddit_headers_are_a_float_and_seconds_from_now() -> None:
    rate = parse_rate_limit(
        {"x-ratelimit-used": "2", "x-ratelimit-remaining": "598.0", "x-ratelimit-reset": "540"},
        now=NOW,
    )
    assert rate == RateLimit(remaining=598, reset_at=NOW + timedelta(seconds=540))


def test_x_headers_reset_at_a_unix_time() -> None:
    rate = parse_rate_limit(
        {
            "x-rate-limit-limit": "900",
            "x-rate-limit-remaining": "847",
            "x-rate-limit-reset": "1705420800",
        },
        now=NOW,
    )
    assert rate == RateLimit(remaining=847, reset_at=datetime(2024, 1, 16, 16, 0, tzinfo=UTC))


def test_github_style_x_ratelimit_reset_is_a_unix_time_too() -> None:
    rate = parse_rate_limit({"X-RateLimit-Reset": "1764064800"}, now=NOW)
    assert rate.reset_at == datetime.fromtimestamp(1764064800, UTC)


@pytest.mark.parametrize(
    ("usage", "remaining"),
    [
        ('{"call_count": 28, "total_cputime": 25, "total_time": 25}', 72),
        ('{"call_count": 10, "total_cputime": 95.5, "total_time": 40}', 4),
        ('{"call_count": 120, "total_cputime": 0, "total_time": 0}', 0),
        ("not json", None),
        ('["call_count"]', None),
    ],
)
def test_meta_app_usage_is_the_percentage_left_of_the_tightest_budget(
    usage: str, remaining: int | None
) -> None:
    assert parse_rate_limit({"x-app-usage": usage}, now=NOW).remaining == remaining


def test_retry_after_is_only_set_on_a_429() -> None:
    headers = {"Retry-After": "30", "X-RateLimit-Remaining": "0"}
    assert parse_rate_limit(headers, now=NOW).retry_after is None
    assert parse_rate_limit(headers, status=429, now=NOW).retry_after == 30.0


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "Wed, 25 Nov 2026 10:01:30 GMT"}, 90.0),
        ({"Retry-After": "Wed, 25 Nov 2026 09:00:00 GMT"}, 0.0),  # already past
        ({"X-RateLimit-Reset": "2026-11-25T10:00:45.000Z"}, 45.0),  # Mastodon: no Retry-After
        ({"x-ratelimit-reset": "7"}, 7.0),  # Reddit
        ({"x-rate-limit-reset": str(int(NOW.timestamp()) + 600)}, 600.0),  # X
        ({"Retry-After": "soon", "x-ratelimit-reset": "12"}, 12.0),  # unreadable: next clue
        ({}, DEFAULT_RETRY_AFTER),
    ],
)
def test_a_429_says_when_to_come_back_from_whatever_the_platform_sent(
    headers: dict[str, str], retry_after: float
) -> None:
    assert parse_rate_limit(headers, status=429, now=NOW).retry_after == retry_after


def test_unreadable_values_are_ignored_not_raised() -> None:
    rate = parse_rate_limit(
        {"X-RateLimit-Remaining": "lots", "X-RateLimit-Reset": "tomorrow", "x-app-usage": "{"},
        now=NOW,
    )
    assert rate == RateLimit()


def test_httpx_headers_work_whatever_their_case() -> None:
    headers = httpx.Headers({"X-RATELIMIT-REMAINING": "5"})
    assert parse_rate_limit(headers, now=NOW).remaining == 5


def response(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "https://x.test"))


def test_a_429_becomes_an_empty_page_that_keeps_the_cursor() -> None:
    page = refusal(response(429, {"Retry-After": "15"}), now=NOW)
    assert page is not None
    assert (page.items, page.cursor, page.more, page.rate.retry_after) == ([], None, False, 15.0)


def test_a_success_is_no_refusal_and_other_errors_raise() -> None:
    assert refusal(response(200)) is None
    for status in (401, 404, 500, 503):
        with pytest.raises(httpx.HTTPStatusError):
            refusal(response(status))
