"""OAuth clients from the environment, each platform's authorize URL as it documents it (PKCE
where supported), and token answers read into grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from ensemble_scheduler.config import oauth_from_env
from ensemble_scheduler.connectors.oauth import GrantRefused, OAuthCalls, grant_of
from ensemble_shared.settings import OutboundSettings

REDIRECT = "https://console.example.org/oauth/callback"


def calls(monkeypatch: pytest.MonkeyPatch, platform: str) -> OAuthCalls:
    monkeypatch.setenv(f"SCHEDULER_OAUTH_{platform.upper()}_CLIENT_ID", "cid")
    monkeypatch.setenv(f"SCHEDULER_OAUTH_{platform.upper()}_CLIENT_SECRET", "secret")
    clients = oauth_from_env()
    return OAuthCalls(clients[platform].client(platform), OutboundSettings(), 5.0)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def authorize(monkeypatch: pytest.MonkeyPatch, platform: str, state: str) -> dict[str, str]:
    """The authorize URL's query for `platform` (a 50-character verifier)."""
    url = calls(monkeypatch, platform).authorize_url(
        state=state, verifier="v" * 50, redirect_uri=REDIRECT
    )
    return query(url)


def test_only_platforms_with_a_client_id_are_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDULER_OAUTH_SLACK_CLIENT_ID", "123.456")
    monkeypatch.setenv("SCHEDULER_OAUTH_SLACK_SCOPES", "chat:write")
    clients = oauth_from_env()
    assert list(clients) == ["slack"]
    slack = clients["slack"].client("slack")
    assert slack.token_url == "https://slack.com/api/oauth.v2.access"  # the documented default
    assert slack.scopes == "chat:write"


def test_x_and_youtube_use_pkce_and_linkedin_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    x = authorize(monkeypatch, "x", "s1")
    assert x["code_challenge_method"] == "S256"
    assert len(x["code_challenge"]) == 43  # base64url(sha256(verifier)), not the verifier
    assert "offline.access" in x["scope"].split()
    assert (x["state"], x["redirect_uri"], x["response_type"]) == ("s1", REDIRECT, "code")
    google = authorize(monkeypatch, "youtube", "s2")
    assert (google["access_type"], google["prompt"]) == ("offline", "consent")
    assert google["code_challenge_method"] == "S256"
    linkedin = authorize(monkeypatch, "linkedin", "s3")
    assert "code_challenge" not in linkedin


def test_token_answers_become_grants() -> None:
    at = datetime.now(UTC)
    grant = grant_of({"access_token": "a", "refresh_token": "r", "expires_in": 7200, "scope": "x"})
    assert grant.expires_at is not None
    assert timedelta(seconds=7190) < grant.expires_at - at < timedelta(seconds=7210)
    slack = grant_of({"ok": True, "access_token": "xoxb-1", "team": {"name": "Acme"}})
    assert (slack.account_name, slack.refresh_token, slack.expires_at) == ("Acme", None, None)
    with pytest.raises(GrantRefused):
        grant_of({"token_type": "bearer"})
