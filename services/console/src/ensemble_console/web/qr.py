"""A QR code as inline SVG (segno), drawn on the server: the phone shows it at the door with
no script and no image request, and a scanner reads it off the screen."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape


def qr_svg(text: str, label: str) -> Markup:
    """`text` as a QR code; `label` names it for screen readers (the SVG is an image)."""
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(
        scale=8, border=4, dark="#000", light="#fff", svgclass="qr", omitsize=True
    )
    named = f'<svg role="img" aria-label="{escape(label)}" '
    return Markup(svg.replace("<svg ", named, 1))  # noqa: S704 (segno's own markup)
