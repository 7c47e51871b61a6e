"""The preferences page: where the "manage your notifications" link in a person's emails
leads. It turns whole channels (email, in-app, Slack, Teams) on or off for every event,
without signing in; finer rules stay as the person set them in the console.

GET shows and never changes anything; the form's POST saves only the channels whose state
changed (so an untouched channel keeps following the workspace's defaults), then redirects
to the page with a notice. Forged and expired links get their page. The token is a
capability: no referrer, redacted from the logs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.routes.unsubscribe import refused
from ensemble_console.web.deps import VisitOf

router = APIRouter(prefix="/hooks/preferences")

CHANNELS = ("email", "in_app", "slack", "teams")


@router.get("/{token}")
async def preferences_page(visit: VisitOf, token: str) -> object:
    try:
        linked = await visit.clients.notify.preferences_by_link(token, visit.caller.origin)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.page("preferences/channels.html", linked=linked, channels=CHANNELS, token=token)


@router.post("/{token}")
async def save_preferences(
    visit: VisitOf, token: str, channel: Annotated[list[str] | None, Form()] = None
) -> object:
    """`channel`: the boxes left ticked (an unticked box is not sent at all)."""
    origin = visit.caller.origin
    try:
        shown = await visit.clients.notify.preferences_by_link(token, origin)
        wanted = {c: c in (channel or []) for c in CHANNELS}
        changed = {c: on for c, on in wanted.items() if shown.channels.get(c, True) != on}
        if changed:
            await visit.clients.notify.save_preferences_by_link(token, changed, origin)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.redirect(f"/hooks/preferences/{token}", notice="preferences_saved")
