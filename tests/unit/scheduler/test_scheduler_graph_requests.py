"""How the Facebook and Instagram connectors read Meta's Graph API answers (the error envelope,
throttling codes and usage headers) and what they refuse before sending, without any I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from ensemble_scheduler.connectors import graph, instagram, media
from ensemble_scheduler.connectors.facebook import post_form
from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    PublicationRequest,
    Refused,
    Unknown,
)

NOW = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)


def _error(status: int, code: int, headers: dict[str, str] | None = None, **extra: Any) -> Any:
    body = {"error": {"message": "m", "type": "OAuthException", "code": code, **extra}}
    return httpx.Response(status, json=body, headers=headers or {})


def _account(**fields: object) -> ChannelAccount:
    base: dict[str, object] = {
        "connector": "instagram",
        "base_url": "https://graph.facebook.com",
        "access_token": "EAAG1",
        "target": "17841400000000001",
        "workspace": "acme",
        "channel": "instagram",
        "revision": 1,
        "updated_by": "ada",
        "updated_at": NOW,
    }
    return ChannelAccount.model_validate({**base, **fields})


def test_throttling_codes_and_429_are_rate_limits_other_errors_are_not() -> None:
    for code in (4, 17, 32, 613):
        assert graph.throttled(_error(400, code))
    assert graph.throttled(httpx.Response(429))
    assert not graph.throttled(_error(400, 100))
    assert not graph.throttled(_error(400, 190))
    assert not graph.throttled(httpx.Response(200, json={"id": "1"}))


def test_the_wait_is_metas_estimate_in_minutes_else_a_backoff() -> None:
    usage = {"1234": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 3}]}
    buc = {"x-business-use-case-usage": json.dumps(usage)}
    assert graph.throttle_wait(_error(400, 32, buc)) == 180
    app = {"x-app-usage": json.dumps({"call_count": 100, "estimated_time_to_regain_access": 1})}
    assert graph.throttle_wait(_error(400, 4, app)) == 60
    usage["1234"][0]["estimated_time_to_regain_access"] = 0
    buc = {"x-business-use-case-usage": json.dumps(usage)}
    assert graph.throttle_wait(_error(400, 32, buc)) == graph.BACKOFF
    assert graph.throttle_wait(_error(400, 4, {"x-app-usage": "not json"})) == graph.BACKOFF
    assert graph.throttle_wait(_error(400, 4, {"retry-after": "7"})) == 7


def test_errors_sort_into_refusals_to_reconnect_for_good_and_unknowns() -> None:
    token = graph.failure(_error(400, 190, error_subcode=463), "the reply")
    assert isinstance(token, Refused)
    assert "Graph error 190/463" in token.reason
    assert token.reason.endswith("reconnect the account")
    assert isinstance(graph.failure(_error(400, 100), "x"), Refused)
    assert graph.failure(_error(400, 100), "x").reason == "x: Graph error 100: m"
    assert isinstance(graph.failure(_error(500, 2), "x"), Unknown)
    assert isinstance(graph.failure(_error(400, 1), "x"), Unknown)
    assert isinstance(graph.failure(_error(400, 368, is_transient=True), "x"), Unknown)
    assert isinstance(graph.failure(httpx.Response(502, text="<html>"), "x"), Unknown)
    assert isinstance(graph.failure(httpx.Response(404, text="nope"), "x"), Refused)


def test_a_listed_item_is_ours_by_text_time_and_author() -> None:
    match = graph.Match("Hi", "message", "created_time", "p1", NOW)
    item = {"message": "Hi", "created_time": "2026-12-07T16:00:05+0000", "from": {"id": "p1"}}
    assert match(item)
    assert not match({**item, "message": "Hi!"})
    assert not match({**item, "from": {"id": "someone"}})
    assert not match({**item, "created_time": "2026-12-07T15:50:00+0000"})
    assert match({**item, "created_time": "2026-12-07T15:59:00+0000"})  # clock skew
    assert match({k: v for k, v in item.items() if k != "from"})  # Graph did not say who


def test_instagram_refuses_text_only_posts_and_captions_lose_the_image_links() -> None:
    account = _account()
    refused = instagram.refusal(account, PublicationRequest(text="Hello"))
    assert isinstance(refused, Refused)
    assert refused.reason.startswith("Instagram posts need an image")
    assert instagram.refusal(account, PublicationRequest(text="Hi", in_reply_to="1789")) is None
    url = "https://cdn.example.org/a.jpg"
    request = PublicationRequest(text=f"Autumn\n\nSee more\n\n{url}", media=(url,))
    assert instagram.refusal(account, request) is None
    assert media.caption_of(request) == "Autumn\n\nSee more"
    many = PublicationRequest(text="x", media=tuple(f"{url}?{n}" for n in range(11)))
    assert instagram.refusal(account, many) == Refused(
        "media: 11 images, Instagram takes 10 at most"
    )
    long = PublicationRequest(text="é" * 2201, media=(url,))
    assert instagram.refusal(account, long) == Refused(
        "caption: 2201 characters, Instagram takes 2200 at most"
    )


def test_a_facebook_post_sends_its_first_media_link_as_the_link() -> None:
    assert post_form(PublicationRequest(text="Hi")) == {"message": "Hi"}
    url = "https://exemple.fr/a"
    assert post_form(PublicationRequest(text=f"Hi\n\n{url}", media=(url,))) == {
        "message": f"Hi\n\n{url}",
        "link": url,
    }
