"""URLs we send to: plain http(s), never with credentials in them."""

from __future__ import annotations

from pydantic import HttpUrl


def plain_http_url(url: HttpUrl) -> HttpUrl:
    """http or https, and no user:password@ — receivers verify our signature, not a login."""
    if url.scheme not in {"http", "https"}:
        raise ValueError("only http and https URLs are accepted")
    if url.username or url.password:
        raise ValueError("credentials are not allowed in the URL; the payload is signed")
    return url
