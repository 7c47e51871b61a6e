"""The pages a member's emailed links open, in French and English: the GET asks, the button acts.

A browser (Accept: text/html) gets a page; anything else gets the JSON preview or result. The
page's form posts to its own URL (no `action`), so it works under whatever prefix the proxy
serves the API on; the token stays in the query, as in an RFC 8058 one-click POST.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import TypeVar

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from ensemble_feedback.models.members import LinkPreview

TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "unsubscribe": {
        "en": {
            "title": "Unsubscribe",
            "ask": "Stop receiving emails about {what}?",
            "button": "Unsubscribe",
            "done": "You will no longer receive emails about {what}.",
        },
        "fr": {
            "title": "Se désabonner",
            "ask": "Ne plus recevoir d'e-mails sur {what} ?",
            "button": "Se désabonner",
            "done": "Vous ne recevrez plus d'e-mails sur {what}.",
        },
    },
    "verify_email": {
        "en": {
            "title": "Confirm your email address",
            "ask": "Is {what} your address? Confirm it to receive our emails there.",
            "button": "Confirm",
            "done": "{what} is confirmed. Thank you!",
        },
        "fr": {
            "title": "Confirmez votre adresse e-mail",
            "ask": "{what} est-elle votre adresse ? Confirmez-la pour y recevoir nos e-mails.",
            "button": "Confirmer",
            "done": "{what} est confirmée. Merci !",
        },
    },
}
TOPICS: dict[str, dict[str, str]] = {
    "en": {
        "ideas_followed": "the ideas you follow",
        "status_changes": "changes to your ideas' status",
        "events_nearby": "field events near you",
    },
    "fr": {
        "ideas_followed": "les idées que vous suivez",
        "status_changes": "les changements de statut de vos idées",
        "events_nearby": "les événements près de chez vous",
    },
}
T = TypeVar("T")
# The URL holds the link's token: never sent on as a referrer, never cached.
HEADERS = {"referrer-policy": "no-referrer", "cache-control": "no-store"}


def _wants_page(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def shown(request: Request, preview: LinkPreview) -> LinkPreview | Response:
    """A GET's answer: the page for a browser, the preview for anything else."""
    return page(preview) if _wants_page(request) else preview


async def acted(
    request: Request, result: T, preview: Callable[[], Awaitable[LinkPreview]]
) -> T | Response:
    """A POST's answer once it acted: the page (now saying it is done), or the result."""
    return page(await preview()) if _wants_page(request) else result


def page(preview: LinkPreview) -> HTMLResponse:
    """Asks while the link has something to do; says it is done once it has."""
    language = preview.language
    texts = TEXTS[preview.action][language]
    what = TOPICS[language][preview.topic] if preview.topic else (preview.email or "")
    if preview.done:
        body = f"<p>{escape(texts['done'].format(what=what))}</p>"
    else:
        body = (
            f"<p>{escape(texts['ask'].format(what=what))}</p>"
            '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{escape(texts["button"])}</button></form>'
        )
    title = escape(texts["title"])
    html = (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{title}</title></head>'
        f'<body style="font-family:sans-serif"><main><h1>{title}</h1>{body}</main></body></html>'
    )
    return HTMLResponse(html, headers=HEADERS)
