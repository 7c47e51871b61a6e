"""The console's safety rules as pure functions: CSRF tokens, log redaction, redirects kept on
site, security headers, and every state-changing route behind the CSRF check."""

from __future__ import annotations

import logging
import re

import httpx
from fastapi.routing import APIRoute

from ensemble_console.config import ConsoleSettings
from ensemble_console.main import ROUTERS, create_app
from ensemble_console.routes.home import local
from ensemble_console.web.csrf import Csrf
from ensemble_console.web.headers import headers_for
from ensemble_shared.redaction import RedactPaths
from ensemble_shared.redaction import redact_path as redact

SECRET = "unit-test-console-secret-0123456789"


def test_a_csrf_token_holds_for_its_binding_only() -> None:
    csrf = Csrf(SECRET)
    token = csrf.token("s:abc")
    assert csrf.valid("s:abc", token)
    assert not csrf.valid("s:abd", token)
    assert not csrf.valid("s:abc", None)
    assert not csrf.valid("s:abc", "")
    assert not Csrf(SECRET + "x").valid("s:abc", token)


async def test_every_state_changing_route_refuses_a_post_without_the_csrf_token() -> None:
    """Each route of every router, posted to without a token, gets the 403 page before it
    runs (nothing is called: no API answers here, and none is needed to refuse)."""
    app = create_app(ConsoleSettings(secret=SECRET, identity_url="http://127.0.0.1:9"))
    unsafe = [
        (method, re.sub(r"\{[^}]+\}", "x", route.path))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in (route.methods or set()) - {"GET", "HEAD"}
    ]
    assert len(unsafe) >= 20
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            for method, path in unsafe:
                answer = await http.request(method, path, data={"csrf_token": "forged"})
                assert answer.status_code == 403, (method, path, answer.status_code)
                assert "This form has expired" in answer.text


def test_tokens_in_paths_and_queries_never_reach_the_logs() -> None:
    assert redact("/hooks/decisions/eyJhbGc.abc.def?decision=approve") == (
        "/hooks/decisions/[redacted]?decision=approve"
    )
    assert redact("/hooks/unsubscribe/tok/confirm") == "/hooks/unsubscribe/[redacted]/confirm"
    assert redact("/hooks/unsubscribe/members/eyJ.a.b") == "/hooks/unsubscribe/members/[redacted]"
    assert redact("/invitations/ens_i_secret") == "/invitations/[redacted]"
    assert redact("/reset-password/ens_r_x") == "/reset-password/[redacted]"
    assert redact("/sign-in/oidc/callback?state=s1&code=c2") == (
        "/sign-in/oidc/callback?state=[redacted]&code=[redacted]"
    )
    assert redact("/w/acme/account") == "/w/acme/account"
    record = logging.LogRecord(
        "uvicorn.access",
        20,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/magic/ens_m_abc", "1.1", 200),
        None,
    )
    RedactPaths().filter(record)
    assert "ens_m_abc" not in record.getMessage()


def test_redirects_stay_on_this_site() -> None:
    assert local("/w/acme/account?x=1") == "/w/acme/account?x=1"
    for outside in ("//evil.example/", "https://evil.example/", "/\\evil.example", "evil"):
        assert local(outside) == "/"


def test_capability_pages_send_no_referrer_and_nothing_is_framed() -> None:
    page = dict(headers_for("/hooks/decisions/t", secure=True))
    assert page[b"referrer-policy"] == b"no-referrer"
    assert b"frame-ancestors 'none'" in page[b"content-security-policy"]
    assert page[b"cache-control"] == b"no-store"
    assert b"strict-transport-security" in page
    plain = dict(headers_for("/w/acme/", secure=False))
    assert plain[b"referrer-policy"] == b"same-origin"
    assert b"strict-transport-security" not in plain
    assert b"cache-control" not in dict(headers_for("/static/console.css", secure=False))


def test_only_the_portal_embeds_may_be_framed_by_any_site() -> None:
    for path in ("/c/acme/embed/board", "/c/acme/embed/ideas/s1", "/c/acme/embed.js"):
        embed = dict(headers_for(path, secure=True))
        assert b"frame-ancestors *" in embed[b"content-security-policy"], path
        assert b"x-frame-options" not in embed, path
    assert b"cache-control" not in dict(headers_for("/c/acme/embed.js", secure=True))
    for path in ("/c/acme/", "/c/acme/ideas/embed", "/c/acme/embedded/board", "/w/acme/embed/"):
        page = dict(headers_for(path, secure=True))
        assert b"frame-ancestors 'none'" in page[b"content-security-policy"], path
        assert page[b"x-frame-options"] == b"DENY", path
