"""An OAuth 2 authorization server as the platforms run theirs (RFC 6749 authorization code
grant, RFC 7636 PKCE S256, refresh tokens rotated and single-use like X's and GitHub's).

The authorize endpoint sends the browser straight back to the registered redirect URI with a
code and the state (or `error=access_denied` when `deny` is set); the token endpoint checks the
client's credentials (HTTP Basic or in the form), the code (30 s, once), the redirect URI and
the PKCE verifier, and answers RFC 6749 §5.2 errors. `valid(token)` says whether an access
token is currently good: the fake platform's token check.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer

CLIENT_ID = "ensemble-test-client"
CLIENT_SECRET = "test-client-secret-0123456789"
CODE_SECONDS = 30.0


@dataclass
class Issued:
    expires: float
    refresh: str | None = None


@dataclass
class Code:
    redirect_uri: str
    challenge: str | None
    method: str | None
    scope: str
    expires: float
    used: bool = False


@dataclass
class Calls:
    exchanges: int = 0
    refreshes: int = 0
    in_flight: int = 0  # refresh grants being answered
    long_lived: int = 0  # Meta's fb_exchange_token grants
    refused: list[str] = field(default_factory=list)  # the error of every refused request


class FakeOAuthProvider(ThreadedServer):
    def __init__(self, redirect_uri: str, *, access_seconds: float = 3600.0) -> None:
        super().__init__()
        self.redirect_uri = redirect_uri
        self.access_seconds = access_seconds
        self.lifetimes: list[float] = []  # the next access tokens' lifetimes, then the default
        self.deny = False
        self.refresh_delay = 0.0  # seconds the refresh grant takes (to make callers overlap)
        self.calls = Calls()
        self.authorize_queries: list[dict[str, str]] = []
        self._codes: dict[str, Code] = {}
        self._access: dict[str, Issued] = {}
        self._refresh: dict[str, bool] = {}  # refresh token → still usable
        self._serve(
            Starlette(
                routes=[
                    Route("/authorize", self._authorize),
                    Route("/token", self._token, methods=["GET", "POST"]),
                ]
            )
        )

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    def valid(self, token: str) -> bool:
        with self._lock:
            issued = self._access.get(token)
            return issued is not None and issued.expires > time.time()

    def refresh_tokens_revoked(self) -> None:
        """The person revoked the app (or the refresh token lapsed): every refresh is refused."""
        with self._lock:
            self._refresh = dict.fromkeys(self._refresh, False)

    def all_tokens(self) -> set[str]:
        with self._lock:
            return set(self._access) | set(self._refresh)

    # -- endpoints -------------------------------------------------------------------------

    async def _authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        with self._lock:
            self.authorize_queries.append(query)
        if query.get("client_id") != CLIENT_ID or query.get("redirect_uri") != self.redirect_uri:
            return JSONResponse({"error": "invalid_request"}, 400)  # never redirect elsewhere
        back: dict[str, str] = {"state": query.get("state", "")}
        if self.deny:
            back |= {"error": "access_denied", "error_description": "The user said no."}
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = Code(
                    redirect_uri=query["redirect_uri"],
                    challenge=query.get("code_challenge"),
                    method=query.get("code_challenge_method"),
                    scope=query.get("scope", ""),
                    expires=time.time() + CODE_SECONDS,
                )
            back["code"] = code
        return RedirectResponse(f"{self.redirect_uri}?{urlencode(back)}", status_code=302)

    async def _token(self, request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if request.method == "GET":  # Meta's token endpoint takes its parameters in the query
            form = {**form, **request.query_params}
        if not self._client_ok(request, form):
            return self._refuse("invalid_client", 401)
        grant = form.get("grant_type")
        if grant == "fb_exchange_token":
            return self._long_lived(form)
        if grant == "authorization_code":
            return self._code_grant(form)
        if grant == "refresh_token":
            self.calls.in_flight += 1
            try:
                await asyncio.sleep(self.refresh_delay)
                return self._refresh_grant(form)
            finally:
                self.calls.in_flight -= 1
        return self._refuse("unsupported_grant_type")

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            given = base64.b64decode(header[6:]).decode()
            return given == f"{CLIENT_ID}:{CLIENT_SECRET}"
        return (form.get("client_id"), form.get("client_secret")) == (CLIENT_ID, CLIENT_SECRET)

    def _code_grant(self, form: dict[str, str]) -> Response:
        with self._lock:
            code = self._codes.get(form.get("code", ""))
            if code is None or code.used or code.expires < time.time():
                return self._refuse("invalid_grant", description="unknown, used or expired code")
            code.used = True
            if form.get("redirect_uri") != code.redirect_uri:
                return self._refuse("invalid_grant", description="redirect_uri differs")
            if code.challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if code.method != "S256" or expected != code.challenge:
                    return self._refuse("invalid_grant", description="PKCE verification failed")
            self.calls.exchanges += 1
            return JSONResponse(self._issue(code.scope))

    def _refresh_grant(self, form: dict[str, str]) -> Response:
        with self._lock:
            token = form.get("refresh_token", "")
            if not self._refresh.get(token):
                return self._refuse("invalid_grant", description="refresh token used or revoked")
            self._refresh[token] = False  # single use: rotated
            self.calls.refreshes += 1
            return JSONResponse(self._issue(""))

    def _long_lived(self, form: dict[str, str]) -> Response:
        """Meta: a valid short-lived user token for a long-lived one (60 days, no refresh)."""
        if not self.valid(form.get("fb_exchange_token", "")):
            return self._refuse("invalid_grant", description="not a valid user token")
        with self._lock:
            token = f"EAAlong{secrets.token_urlsafe(24)}"
            self._access[token] = Issued(time.time() + 60 * 86_400)
            self.calls.long_lived += 1
        return JSONResponse(
            {"access_token": token, "token_type": "bearer", "expires_in": 5_184_000}
        )

    def _issue(self, scope: str) -> dict[str, Any]:
        lifetime = self.lifetimes.pop(0) if self.lifetimes else self.access_seconds
        access, refresh = f"at_{secrets.token_urlsafe(24)}", f"rt_{secrets.token_urlsafe(24)}"
        self._access[access] = Issued(time.time() + lifetime, refresh)
        self._refresh[refresh] = True
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(lifetime),
            "refresh_token": refresh,
            "scope": scope,
        }

    def _refuse(self, error: str, status: int = 400, description: str = "") -> Response:
        self.calls.refused.append(error)
        body = {"error": error, **({"error_description": description} if description else {})}
        return JSONResponse(body, status)
