"""Security headers on every answer, set in one place.

- A Content-Security-Policy with no inline script or style: every script and stylesheet is a
  file under /static (htmx is configured by a meta tag, not a script).
- `frame-ancestors 'none'`: no page may be framed (the portal's embeds, issue 14, will
  widen it for their own routes only).
- `Referrer-Policy: no-referrer` on pages whose URL holds a secret (decision links, emailed
  links), so a link followed from them does not carry the token away; `same-origin` elsewhere.
- `Cache-Control: no-store` on pages: they are personal; static files are cacheable.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
CAPABILITY_PREFIXES = ("/hooks/", "/invitations/", "/reset-password/", "/magic/", "/verify-email/")


def headers_for(path: str, *, secure: bool) -> list[tuple[bytes, bytes]]:
    capability = path.startswith(CAPABILITY_PREFIXES) or path.startswith("/sign-in/oidc/")
    headers = {
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer" if capability else "same-origin",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
    }
    if not path.startswith("/static/"):
        headers["cache-control"] = "no-store"
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

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if k.lower() not in names]
                message = {**message, "headers": [*kept, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
