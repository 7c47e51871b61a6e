"""The code a brand copies to put the portal's board or one idea on its own site: an
`<iframe>` of the embed page and the optional script that fits its height (routes/
portal_embed.py). Absolute addresses from the console's public URL: the code runs elsewhere."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

HEIGHTS = {"board": 420, "idea": 260, "roadmap": 560}
"""A first height, right for the defaults without the script; the script then fits it."""


def embed_url(public_url: str, workspace: str, what: str, **query: str | int) -> str:
    """`what`: `board`, `roadmap` or `ideas/{id}`; empty query values are left out."""
    shown = {k: v for k, v in query.items() if v not in ("", None)}
    url = f"{public_url.rstrip('/')}/c/{workspace}/embed/{what}"
    return f"{url}?{urlencode(shown)}" if shown else url


def snippet(public_url: str, workspace: str, src: str, title: str, height: int) -> str:
    script = f"{public_url.rstrip('/')}/c/{workspace}/embed.js"
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}"'
        ' style="border:0" loading="lazy" data-ensemble-embed></iframe>\n'
        f'<script src="{escape(script)}" async></script>'
    )
