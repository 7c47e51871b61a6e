"""Security headers on every answer, set in one place.

- A Content-Security-Policy with no inline script or style: every script and stylesheet is a
  file under /static (htmx is configured by a meta tag, not a script).
- `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no page may be framed, except the
  portal's embeds (`/c/{workspace}/embed/…`, routes/portal_embed.py), which a brand puts in an
  iframe on its own site: `frame-ancestors *` there and no X-Frame-Options. Those pages show
  public data only and hold no form; an embed answer never sets a cookie either (the header is
  dropped here), so a third-party frame stores nothing in the visitor's browser.
- `Referrer-Policy: no-referrer` on pages whose URL holds a secret (decision links, emailed
  links), so a link followed from them does not carry the token away; `same-origin` elsewhere.
- `Cache-Control: no-store` on pages: they are personal; static files are cacheable.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
)
CSP = _POLICY + "frame-ancestors 'none'"
EMBED_CSP = _POLICY + "frame-ancestors *"
EMBED = re.compile(r"^/c/[\w-]{1,64}/(embed/|embed\.js$)")
CAPABILITY_PREFIXES = ("/hooks/", "/invitations/", "/reset-password/", "/magic/", "/verify-email/")


def is_embed(path: str) -> bool:
    """An embed's address: framed by any site, never setting a cookie."""
    return EMBED.match(path) is not None


def headers_for(path: str, *, secure: bool) -> list[tuple[bytes, bytes]]:
    capability = path.startswith(CAPABILITY_PREFIXES) or path.startswith("/sign-in/oidc/")
    embed = is_embed(path)
    headers = {
        "content-security-policy": EMBED_CSP if embed else CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer" if capability else "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
    }
    if not embed:
        headers["x-frame-options"] = "DENY"
    if not path.startswith("/static/") and not path.endswith("/embed.js"):
        headers["cache-control"] = "no-store"  # the embed's script, like static files, caches
    if secure:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"], secure=self.secure)
        names = {name for name, _ in extra}
        if is_embed(scope["path"]):
            names |= {b"set-cookie", b"x-frame-options"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if k.lower() not in names]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
