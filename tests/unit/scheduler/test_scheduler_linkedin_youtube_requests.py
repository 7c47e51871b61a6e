"""How the LinkedIn and YouTube connectors shape what they send (little text, where a comment
goes) and read what the platforms answer (error envelopes, rate limits, the daily quota),
without any I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from ensemble_scheduler.connectors import linkedin, youtube
from ensemble_scheduler.models.publishing import ChannelAccount, Refused, Unknown

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def _account(**fields: object) -> ChannelAccount:
    base: dict[str, object] = {
        "connector": "linkedin",
        "base_url": "https://api.linkedin.com",
        "access_token": "AQX1",
        "target": "2414183",
        "workspace": "acme",
        "channel": "linkedin",
        "revision": 1,
        "updated_by": "ada",
        "updated_at": NOW,
    }
    return ChannelAccount.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("text", "little"),
    [
        ("plain words, 30 % off!", "plain words, 30 % off!"),
        (
            "a\\b|c{d}e@f[g]h(i)j<k>l*m_n~o",
            "a\\\\b\\|c\\{d\\}e\\@f\\[g\\]h\\(i\\)j\\<k\\>l\\*m\\_n\\~o",
        ),
        ("#Launch day", "{hashtag|\\#|Launch} day"),
        ("join #tech_talks now", "join {hashtag|\\#|tech\\_talks} now"),
        ("issue #42 and a#b and ##x", "issue \\#42 and a\\#b and \\#\\#x"),
        ("@[Acme](urn:li:organization:1)", "\\@\\[Acme\\]\\(urn:li:organization:1\\)"),
    ],
)
def test_commentary_escapes_every_reserved_character_and_keeps_word_hashtags(
    text: str, little: str
) -> None:
    assert linkedin.little(text) == little


def test_a_linkedin_comment_goes_under_a_post_or_in_a_comments_thread() -> None:
    assert linkedin.thread_of("urn:li:share:7") == linkedin.Thread("urn:li:share:7")
    assert linkedin.thread_of("urn:li:ugcPost:7").on == "urn:li:ugcPost:7"
    nested = linkedin.thread_of("urn:li:comment:(urn:li:activity:7,99)")
    assert (nested.object, nested.on) == (
        "urn:li:activity:7",
        "urn:li:comment:(urn:li:activity:7,99)",
    )
    body = linkedin.comment_body(_account(), nested, "merci (vraiment)")
    assert body == {
        "actor": "urn:li:organization:2414183",
        "object": "urn:li:activity:7",
        "message": {"text": "merci (vraiment)"},  # comments are plain text, not little text
        "parentComment": "urn:li:comment:(urn:li:activity:7,99)",
    }
    for wrong in ("7", "urn:li:person:7", "https://www.linkedin.com/feed/update/urn:li:share:7"):
        with pytest.raises(ValueError, match="not a LinkedIn post URN"):
            linkedin.thread_of(wrong)


def test_a_linkedin_post_names_one_image_as_media_and_several_as_multi_image() -> None:
    account = _account()
    assert "content" not in linkedin.post_body(account, "t", [])
    assert linkedin.post_body(account, "t", ["urn:li:image:A"])["content"] == {
        "media": {"id": "urn:li:image:A"}
    }
    body = linkedin.post_body(account, "t", ["urn:li:image:A", "urn:li:image:B"])
    assert body["content"] == {
        "multiImage": {"images": [{"id": "urn:li:image:A"}, {"id": "urn:li:image:B"}]}
    }
    assert (body["author"], body["visibility"], body["lifecycleState"]) == (
        "urn:li:organization:2414183",
        "PUBLIC",
        "PUBLISHED",
    )
    assert body["distribution"]["feedDistribution"] == "MAIN_FEED"


def _li_error(status: int, code: str, service: int | None = None) -> httpx.Response:
    body: dict[str, object] = {"status": status, "code": code, "message": "m"}
    if service is not None:
        body["serviceErrorCode"] = service
    return httpx.Response(status, json=body)


def test_linkedin_errors_sort_into_reconnect_refusals_and_unknowns() -> None:
    revoked = linkedin.failure(_li_error(401, "REVOKED_ACCESS_TOKEN", 65601), "the post")
    assert isinstance(revoked, Refused)
    assert revoked.reason == (
        "the post: LinkedIn no longer accepts this account's access token (HTTP 401 "
        "REVOKED_ACCESS_TOKEN 65601: m); reconnect the account"
    )
    denied = linkedin.failure(_li_error(403, "ACCESS_DENIED", 100), "the post")
    assert isinstance(denied, Refused)
    assert "w_organization_social" in denied.reason
    assert isinstance(linkedin.failure(_li_error(422, "UNPROCESSABLE_ENTITY"), "x"), Refused)
    assert isinstance(linkedin.failure(_li_error(500, "INTERNAL_SERVER_ERROR"), "x"), Unknown)
    assert isinstance(linkedin.failure(httpx.Response(504, text="<html>"), "x"), Unknown)


def test_a_youtube_answer_goes_under_the_video_or_in_its_comments_thread() -> None:
    assert youtube.target_of("dQw4w9WgXcQ") == youtube.OnVideo("dQw4w9WgXcQ")
    top = "UgzDE2tasfmrYLyNkGt4AaABAg"
    assert youtube.target_of(top) == youtube.InThread(top)
    assert youtube.target_of(f"{top}.9xYzAbCdEfG") == youtube.InThread(top)  # one level
    with pytest.raises(ValueError, match="not a YouTube video or comment id"):
        youtube.target_of("https://youtu.be/dQw4w9WgXcQ")
    assert youtube.comment_body(youtube.OnVideo("dQw4w9WgXcQ"), "hi") == {
        "snippet": {
            "videoId": "dQw4w9WgXcQ",
            "topLevelComment": {"snippet": {"textOriginal": "hi"}},
        }
    }
    assert youtube.comment_body(youtube.InThread(top), "hi") == {
        "snippet": {"parentId": top, "textOriginal": "hi"}
    }


def _google(status: int, reason: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"error": {"code": status, "message": "m", "errors": [{"reason": reason}]}}
    return httpx.Response(status, json=body, headers=headers or {})


def test_youtube_rate_limits_are_waited_out_and_the_daily_quota_is_refused_until_reset() -> None:
    assert youtube.limited(_google(403, "rateLimitExceeded"))
    assert youtube.limited(_google(403, "userRateLimitExceeded"))
    assert youtube.limited(httpx.Response(429))
    assert not youtube.limited(_google(403, "quotaExceeded"))
    assert not youtube.limited(_google(403, "forbidden"))
    assert youtube.limit_wait(_google(403, "rateLimitExceeded")) == youtube.BACKOFF
    assert youtube.limit_wait(_google(429, "rateLimitExceeded", {"retry-after": "5"})) == 5

    # 16:00 UTC on 7 December is 08:00 in Los Angeles (PST): the quota resets at 08:00 UTC
    # on the 8th.
    assert youtube.quota_resets(NOW) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    spent = youtube.failure(_google(403, "quotaExceeded"), "the comment", NOW)
    assert isinstance(spent, Refused)
    assert spent.reason == (
        "the comment: the YouTube API's daily quota is spent (HTTP 403 quotaExceeded: m); it "
        "resets at 2026-12-08 08:00 UTC (midnight Pacific time): schedule the item again after"
    )
    token = youtube.failure(_google(401, "authError"), "the comment")
    assert isinstance(token, Refused)
    assert token.reason.endswith("reconnect the account")
    assert isinstance(youtube.failure(_google(503, "backendError"), "x"), Unknown)
    assert isinstance(youtube.failure(_google(404, "videoNotFound"), "x"), Refused)


def test_linkedin_and_youtube_accounts_need_their_target() -> None:
    with pytest.raises(ValueError, match="target: a linkedin channel needs"):
        _account(target=None)
    with pytest.raises(ValueError, match="target: a youtube channel needs"):
        _account(connector="youtube", base_url="https://www.googleapis.com", target=None)
    assert _account(connector="youtube", target="UC_x-Y0123456789abcdefg").target
