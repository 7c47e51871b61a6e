"""Talking to a platform's OAuth 2 endpoints: the authorize URL (PKCE S256 where the platform
supports it), the code exchanged, a refresh token spent; Authlib builds and parses every
request (client authentication as the platform documents, RFC 6749 error answers).

Facebook and Instagram have no refresh grant: the code's short-lived user token is exchanged
at once for a long-lived one (`fb_exchange_token`); for a Facebook channel the Page's own
token is then read with it (`GET /{page-id}?fields=access_token,name`), which does not expire.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from ensemble_scheduler.models.oauth import Grant, OAuthClient
from ensemble_shared.outbound import GuardedTransport
from ensemble_shared.settings import OutboundSettings

GRAPH_VERSION = "v21.0"


class GrantRefused(Exception):
    """The platform refused the code or the refresh token (`error`: its RFC 6749 code)."""

    def __init__(self, error: str, description: str = "") -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error


class TokenEndpointDown(Exception):
    """No usable answer from the token endpoint: the token may or may not be spent."""


class OAuthCalls:
    def __init__(self, client: OAuthClient, outbound: OutboundSettings, timeout: float) -> None:
        self.client = client
        self._outbound = outbound
        self._timeout = timeout

    def _session(self, redirect_uri: str | None = None) -> AsyncOAuth2Client:
        provider = self.client.provider
        return AsyncOAuth2Client(
            client_id=self.client.client_id,
            client_secret=self.client.client_secret,
            token_endpoint_auth_method=provider.client_auth,
            scope=self.client.scopes or None,
            redirect_uri=redirect_uri,
            code_challenge_method="S256" if provider.pkce else None,
            timeout=self._timeout,
            transport=GuardedTransport(self._outbound, self._outbound.max_response_bytes),
        )

    def authorize_url(self, *, state: str, verifier: str, redirect_uri: str) -> str:
        session = self._session(redirect_uri)
        extra: dict[str, Any] = dict(self.client.provider.extra)
        if self.client.provider.pkce:
            extra["code_verifier"] = verifier
        url, _ = session.create_authorization_url(self.client.authorize_url, state=state, **extra)
        return str(url)

    async def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> Grant:
        extra: dict[str, Any] = {"code_verifier": verifier} if self.client.provider.pkce else {}
        token = await self._call(
            "fetch_token",
            redirect_uri,
            self.client.token_url,
            grant_type="authorization_code",
            code=code,
            **extra,
        )
        return grant_of(token)

    async def refresh(self, refresh_token: str) -> Grant:
        token = await self._call(
            "refresh_token", None, self.client.token_url, refresh_token=refresh_token
        )
        grant = grant_of(token)
        if grant.refresh_token is None:  # the platform keeps the same one (Google, LinkedIn)
            grant = Grant(grant.access_token, refresh_token, grant.expires_at, grant.scope)
        return grant

    async def long_lived(self, short: str) -> Grant:
        """Meta: the short-lived user token exchanged for a long-lived one (about 60 days)."""
        token = await self._call(
            "fetch_token",
            None,
            self.client.token_url,
            method="GET",
            grant_type="fb_exchange_token",
            fb_exchange_token=short,
            client_id=self.client.client_id,
            client_secret=self.client.client_secret,
        )
        return grant_of(token)

    async def _call(self, what: str, redirect_uri: str | None, url: str, **params: Any) -> Any:
        try:
            async with self._session(redirect_uri) as session:
                return await getattr(session, what)(url, **params)
        except AuthlibBaseError as exc:
            raise GrantRefused(str(exc.error), str(exc.description or "")) from None
        except (httpx.HTTPError, ValueError) as exc:
            raise TokenEndpointDown(f"{url}: {exc!r}") from None


def grant_of(token: dict[str, Any]) -> Grant:
    """Authlib's token (RFC 6749 §5.1, and Slack's bot token) as a Grant."""
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise GrantRefused("invalid_response", "no access_token in the token endpoint's answer")
    expires_at = None
    if token.get("expires_at"):
        expires_at = datetime.fromtimestamp(int(token["expires_at"]), UTC)
    elif token.get("expires_in"):
        expires_at = datetime.now(UTC) + timedelta(seconds=int(token["expires_in"]))
    refresh = token.get("refresh_token")
    team = token.get("team")
    name = team.get("name") if isinstance(team, dict) else None
    return Grant(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=expires_at,
        scope=str(token["scope"]) if token.get("scope") else None,
        account_name=str(name) if name else None,
    )


async def page_token(http: httpx.AsyncClient, base_url: str, page_id: str, user: str) -> Grant:
    """A Facebook Page's own token (and name), read with a long-lived user token."""
    url = f"{base_url.rstrip('/')}/{GRAPH_VERSION}/{page_id}"
    try:
        answer = await http.get(
            url,
            params={"fields": "access_token,name"},
            headers={"authorization": f"Bearer {user}"},
        )
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise TokenEndpointDown(f"{url}: {exc!r}") from None
    if answer.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise GrantRefused("page_token", str(error.get("message") or answer.status_code))
    return Grant(access_token=str(body["access_token"]), account_name=body.get("name"))
