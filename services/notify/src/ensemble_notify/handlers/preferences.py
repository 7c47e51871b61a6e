"""Preferences: each person's own (self-service), workspace defaults (admins), and the
one-click unsubscribe links (no login: the signed token is the credential)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from ensemble_notify.handlers.dependencies import PreferenceLink, Prefs, Unsubscribe
from ensemble_notify.models.preferences import (
    ChannelSwitches,
    LinkedPreferences,
    Preferences,
    PreferencesPut,
    Unsubscribed,
    UnsubscribeLink,
)
from ensemble_shared.web.auth import Admin, CurrentPrincipal

Token = Annotated[str, Query(min_length=10, max_length=2000)]

router = APIRouter()


@router.get("/me/preferences", tags=["preferences"], summary="My notification preferences.")
async def get_mine(principal: CurrentPrincipal, preferences: Prefs) -> Preferences:
    return await preferences.get(principal.workspace, principal.subject)


@router.put(
    "/me/preferences",
    tags=["preferences"],
    summary="Replace my preferences (rules per event type and channel, quiet hours).",
)
async def put_mine(
    body: PreferencesPut, principal: CurrentPrincipal, preferences: Prefs
) -> Preferences:
    return await preferences.put(principal.workspace, principal.subject, body)


@router.get(
    "/preferences/defaults", tags=["preferences"], summary="The workspace's default preferences."
)
async def get_defaults(principal: Admin, preferences: Prefs) -> Preferences:
    return await preferences.get(principal.workspace, None)


@router.put(
    "/preferences/defaults",
    tags=["preferences"],
    summary="Replace the workspace's default preferences.",
)
async def put_defaults(body: PreferencesPut, principal: Admin, preferences: Prefs) -> Preferences:
    return await preferences.put(principal.workspace, None, body)


@router.get(
    "/preferences/link",
    tags=["preferences"],
    summary="A person's channels, from the preferences link in their emails (reads only).",
)
async def read_by_link(token: Token, links: PreferenceLink) -> LinkedPreferences:
    return await links.read(token)


@router.put(
    "/preferences/link",
    tags=["preferences"],
    summary="Turn whole channels on or off, from the preferences link (no login).",
)
async def save_by_link(
    token: Token, body: ChannelSwitches, links: PreferenceLink
) -> LinkedPreferences:
    return await links.save(token, body)


@router.get(
    "/unsubscribe",
    tags=["preferences"],
    summary="A mail client that opens the List-Unsubscribe URL lands on the console's page "
    "(303): it asks, in the person's language, and does not act.",
    status_code=303,
    response_class=RedirectResponse,
)
async def confirm_unsubscribe(token: Token, unsubscribe: Unsubscribe) -> RedirectResponse:
    return RedirectResponse(unsubscribe.page_for(token), status_code=303)


@router.get(
    "/unsubscribe/link",
    tags=["preferences"],
    summary="What an unsubscribe link turns off, as JSON (reads only; the console's page).",
)
async def read_unsubscribe_link(token: Token, unsubscribe: Unsubscribe) -> UnsubscribeLink:
    wanted = unsubscribe.preview(token)
    return UnsubscribeLink(
        workspace=wanted.workspace,
        person=wanted.person,
        event=wanted.event,
        channel=wanted.channel.value,
    )


@router.post(
    "/unsubscribe",
    tags=["preferences"],
    summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post): turns the preference off.",
)
async def unsubscribe(token: Token, unsubscribe: Unsubscribe) -> Unsubscribed:
    done = await unsubscribe.unsubscribe(token)
    return Unsubscribed(event=done.event, channel=done.channel.value)
