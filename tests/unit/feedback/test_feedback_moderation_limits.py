"""Write limits per member and per address, the client address behind proxies, and the
guard against `$` keys in JSON bodies."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI, Request

from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_shared.client_address import client_ip, networks
from ensemble_shared.errors import TooManyRequests
from ensemble_shared.web.guards import OperatorKeyGuard, operator_key


async def test_a_member_over_its_limit_gets_retry_after() -> None:
    limiter = WriteLimiter(member_limits="3/minute", ip_limits="100/minute")
    for _ in range(3):
        await limiter.check(ip="10.0.0.1", member="acme:m1")
    with pytest.raises(TooManyRequests, match="this member: at most 3 per 60 s") as refused:
        await limiter.check(ip="10.0.0.1", member="acme:m1")
    assert 1 <= refused.value.retry_after <= 60
    await limiter.check(ip="10.0.0.1", member="acme:m2")  # another member is not held back
    await limiter.check(ip="10.0.0.1", member="other:m1")  # nor the same id elsewhere


async def test_an_address_is_limited_across_members() -> None:
    limiter = WriteLimiter(member_limits="100/minute", ip_limits="2/minute")
    await limiter.check(ip="10.0.0.1", member="acme:m1")
    await limiter.check(ip="10.0.0.1", member="acme:m2")
    with pytest.raises(TooManyRequests, match="this address"):
        await limiter.check(ip="10.0.0.1", member="acme:m3")
    await limiter.check(ip="10.0.0.2", member="acme:m3")
    with pytest.raises(TooManyRequests):
        await limiter.check(ip="10.0.0.1")  # unauthenticated writes count too


def test_limits_are_parsed_from_settings_text_or_refused() -> None:
    WriteLimiter(member_limits="5/second;30/minute", ip_limits="", storage_uri="async+memory://")
    with pytest.raises(ValueError, match="lots"):
        WriteLimiter(member_limits="lots", ip_limits="1/minute")
    with pytest.raises(ValueError, match="async"):
        WriteLimiter(member_limits="1/minute", ip_limits="1/minute", storage_uri="memory://")


def test_the_peer_is_the_client_unless_it_is_a_trusted_proxy() -> None:
    proxies = networks(["10.0.0.0/8", "192.168.1.5"])
    # Not a proxy: its X-Forwarded-For is whatever the client wrote.
    assert client_ip("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9"
    # A proxy: the nearest hop that is not one of ours.
    assert client_ip("10.1.1.1", ["1.2.3.4, 198.51.100.7"], proxies) == "198.51.100.7"
    assert client_ip("10.1.1.1", ["1.2.3.4, 198.51.100.7, 192.168.1.5"], proxies) == (
        "198.51.100.7"
    )
    assert client_ip("10.1.1.1", ["1.2.3.4", "198.51.100.7"], proxies) == "198.51.100.7"
    assert client_ip("10.1.1.1", [], proxies) == "10.1.1.1"
    assert client_ip("10.1.1.1", ["garbage, 10.2.2.2"], proxies) == "10.2.2.2"
    assert client_ip("10.1.1.1", ["2001:db8::1"], proxies) == "2001:db8::1"
    assert client_ip(None, [], proxies) == "unknown"
    assert client_ip("10.1.1.1", ["1.2.3.4"], []) == "10.1.1.1"


def test_operator_keys_are_found_with_their_path() -> None:
    assert operator_key({"author": {"$ne": None}}) == "body.author.$ne"
    assert operator_key({"tags": [{"ok": 1}, {"$where": "1"}]}) == "body.tags.1.$where"
    assert operator_key({"text": "costs $5, {$ne: 1}", "$": None}) == "body.$"
    assert operator_key({"text": 'costs $5 or {"$ne": 1}'}) is None
    assert operator_key(["$ne"]) is None


def guarded() -> httpx.AsyncClient:
    app = FastAPI()

    @app.post("/echo")
    @app.post("/webhooks/x")
    async def echo(request: Request) -> dict[str, str]:
        return {"raw": (await request.body()).decode()}

    guarded_app = OperatorKeyGuard(app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded_app), base_url="http://t")


async def test_the_guard_refuses_operator_keys_and_passes_bodies_through_untouched() -> None:
    async with guarded() as client:
        refused = await client.post("/echo", json={"filter": {"$ne": None}})
        assert refused.status_code == 422
        assert (
            refused.json()["message"] == "body.filter.$ne: keys starting with '$' are not accepted"
        )
        text = json.dumps({"text": "$ne and $where are just words here"})
        passed = await client.post(
            "/echo", content=text, headers={"content-type": "application/json"}
        )
        assert passed.status_code == 200
        assert passed.json() == {"raw": text}
        platform = json.dumps({"$type": "app.bsky.feed.post"})
        hooked = await client.post(
            "/webhooks/x", content=platform, headers={"content-type": "application/json"}
        )
        assert hooked.status_code == 200
        assert hooked.json() == {"raw": platform}
        plain = await client.post(
            "/echo", content=b'{"$ne": 1}', headers={"content-type": "text/plain"}
        )
        assert plain.status_code == 200  # not JSON to us; the route decides
        broken = await client.post(
            "/echo", content=b"{nope", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 200
        assert broken.json() == {"raw": "{nope"}
