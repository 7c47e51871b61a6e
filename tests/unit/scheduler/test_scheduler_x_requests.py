"""X without I/O: the weighted length X counts, the requests the connector builds, how it reads
X's errors and rate-limit headers, and how a timeline post is matched when settling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ensemble_scheduler.connectors import x
from ensemble_scheduler.connectors.calls import Failed, wait_of
from ensemble_scheduler.connectors.media import fetch
from ensemble_scheduler.connectors.weighted import weighted_length
from ensemble_scheduler.connectors.x import RULES
from ensemble_scheduler.models.limits import LIMITS
from ensemble_scheduler.models.publishing import PublicationRequest, Refused, Unknown

NOW = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("hello", 5),
        ("Café déjà", 9),  # Latin with accents: 1 each
        ("Cafe\u0301", 4),  # NFC makes e and its accent one code point
        ("日本語", 6),  # CJK: 2 each
        ("한국어", 6),  # Hangul: 2 each
        ("Привет", 6),  # Cyrillic: 1 each
        ("“quoted” — yes…", 16),  # quotes and dash weigh 1, the ellipsis (U+2026) 2
        ("🍂", 2),
        ("👩🏽‍💻", 2),  # skin tone and ZWJ: one emoji
        ("🇫🇷🇧🇪", 4),  # two flags
        ("1️⃣", 2),  # a keycap
        ("❤️ ok", 5),
        ("see https://example.com/a/very/long/path?with=query", 27),
        ("http://a.b", 23),
        ("go to acme.fr/offre!", 6 + 23 + 1),  # a bare name under a known TLD is a link
        ("mail me at ada@acme.fr", 22),  # an address is not a link
        ("https://x.co, https://y.co.", 23 + 2 + 23 + 1),  # closing punctuation is text
    ],
)
def test_weighted_length_counts_as_x_does(text: str, count: int) -> None:
    assert weighted_length(text) == count


def test_the_limit_is_280_weighted_and_four_images() -> None:
    rules = LIMITS["x"]
    assert (rules.text, rules.unit) == (280, "weighted")
    assert rules.media is not None
    assert rules.media.most == 4
    assert rules.media.max_bytes == 5 * 1024 * 1024
    assert "image/webp" in rules.media.types


def test_text_over_280_weighted_is_refused_though_shorter_in_characters() -> None:
    text = "漢" * 141  # 141 characters, 282 as X counts them
    assert x.refusal(PublicationRequest(text=text)) == Refused(
        "text: 282 characters as X counts them (links 23, CJK and emoji 2), X takes 280 at most"
    )
    assert x.refusal(PublicationRequest(text="漢" * 140)) is None
    many = PublicationRequest(
        text="five", media=tuple(f"https://c.example/{n}.png" for n in range(5))
    )
    assert x.refusal(many) == Refused("media: 5 images, X takes 4 at most")


def test_media_links_leave_the_text_once_uploaded() -> None:
    link = "https://cdn.example.org/look.png"
    request = PublicationRequest(text=f"Le look\n\n{link}", media=(link,))
    assert x.text_of(request) == "Le look"
    assert x.tweet_body("Le look", "1890", ["77"]) == {
        "text": "Le look",
        "reply": {"in_reply_to_tweet_id": "1890"},
        "media": {"media_ids": ["77"]},
    }
    assert x.tweet_body("Bonjour", None, []) == {"text": "Bonjour"}


def _answer(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_errors_read_as_x_documents_them() -> None:
    unauthorized = _answer(
        401,
        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
    )
    refused = x.failure(unauthorized, "the post")
    assert isinstance(refused, Refused)
    assert refused.reason.endswith("reconnect the account")
    duplicate = _answer(
        403,
        {
            "title": "Forbidden",
            "status": 403,
            "detail": "You are not allowed to create a Tweet with duplicate content.",
        },
    )
    assert x.failure(duplicate, "the post") == Refused(
        "the post: HTTP 403: You are not allowed to create a Tweet with duplicate content."
    )
    invalid = _answer(
        400,
        {
            "errors": [{"message": "Your media IDs are invalid."}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
        },
    )
    assert x.reason_of(invalid) == (
        "One or more parameters to your request was invalid.; Your media IDs are invalid."
    )
    assert isinstance(
        x.failure(_answer(503, {"title": "Service Unavailable"}), "the post"), Unknown
    )


def test_the_rate_limit_wait_is_read_from_x_headers() -> None:
    reset = str(int((NOW + timedelta(seconds=12)).timestamp()))
    limited = _answer(429, {}, **{"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})
    assert wait_of(limited, NOW) == 12.0
    daily = _answer(
        429,
        {},
        **{
            "x-rate-limit-remaining": "40",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": str(int((NOW + timedelta(hours=3)).timestamp())),
        },
    )
    assert wait_of(daily, NOW) == 3 * 3600.0
    assert x.only_429(limited)
    assert not x.only_429(
        _answer(403, {}, **{"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset})
    )


def test_a_timeline_post_matches_on_text_time_and_thread() -> None:
    match = x.Match("Oui & non : https://acme.example/a", "1890", NOW)
    post = {
        "id": "2001",
        "text": "Oui &amp; non : https://t.co/abc123",
        "created_at": "2026-12-07T18:00:03.000Z",
        "referenced_tweets": [{"type": "replied_to", "id": "1890"}],
    }
    assert match(post)
    assert not match({**post, "referenced_tweets": [{"type": "replied_to", "id": "1"}]})
    assert not match({**post, "referenced_tweets": []})
    assert not match({**post, "created_at": "2026-12-07T17:57:00.000Z"})  # before, past skew
    assert match({**post, "created_at": "2026-12-07T17:59:00.000Z"})  # within the skew
    assert not match({**post, "text": "Oui &amp; non"})
    with_media = x.Match("Le look", None, NOW)
    posted = {"id": "2", "text": "Le look https://t.co/m3d1a", "created_at": "2026-12-07T18:00:01Z"}
    assert with_media({**posted, "attachments": {"media_keys": ["3_9"]}})
    assert not with_media(posted)  # without media, the link is part of the text


def _host(status: int, content: bytes, mime: str) -> httpx.AsyncClient:
    answer = httpx.Response(status, content=content, headers={"content-type": mime})
    return httpx.AsyncClient(transport=httpx.MockTransport(lambda _: answer))


@pytest.mark.parametrize(
    ("status", "content", "mime", "outcome"),
    [
        (
            200,
            b"<html>",
            "text/html; charset=utf-8",
            Refused(
                "media https://c.example/a.png: text/html; "
                "X takes image/gif, image/jpeg, image/png, image/webp"
            ),
        ),
        (
            200,
            b"\0" * (5 * 1024 * 1024 + 1),
            "image/png",
            Refused("media https://c.example/a.png: larger than 5 MB, X's limit"),
        ),
        (404, b"", "text/plain", Refused("media https://c.example/a.png: HTTP 404")),
        (503, b"", "text/plain", Unknown("media https://c.example/a.png: HTTP 503")),
    ],
)
async def test_a_media_link_x_would_refuse_is_refused_before_upload(
    status: int, content: bytes, mime: str, outcome: Refused | Unknown
) -> None:
    async with _host(status, content, mime) as http:
        with pytest.raises(Failed) as failed:
            await fetch(http, "https://c.example/a.png", RULES, platform="X", seconds=1)
    assert failed.value.outcome == outcome


async def test_a_media_link_is_read_with_its_type() -> None:
    async with _host(200, b"\xff\xd8\xff" + b"\0" * 64, "image/jpeg") as http:
        image = await fetch(http, "https://c.example/look.jpg?v=2", RULES, platform="X", seconds=1)
    assert (image.name, image.mime, len(image.data)) == ("look.jpg", "image/jpeg", 67)
