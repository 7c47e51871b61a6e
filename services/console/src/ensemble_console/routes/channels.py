"""Channels (admins): each channel's weekly publishing slots (its time zone, and the teams whose
calendar feed shows it) and where it publishes (Mastodon, Bluesky, GitHub, Slack, a Facebook
Page, an Instagram professional account, an X account, a LinkedIn organisation, a YouTube
channel, or a signed webhook: scheduler's connectors). The account's token or secret is
write-only: scheduler never answers it, and no page echoes one back, not even the form that
was refused."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler import SlotPlan
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_errors import FormErrors, form_errors, form_values, listed

router = APIRouter(prefix="/w/{workspace}/admin/channels")

CHANNEL = re.compile(r"^[\w.:-]{1,64}$")
ChannelName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
CONNECTORS = (
    "mastodon",
    "bluesky",
    "github",
    "slack",
    "facebook",
    "instagram",
    "x",
    "linkedin",
    "youtube",
    "webhook",
)
VISIBILITIES = ("public", "unlisted", "private", "direct")
SLOT_FIELDS = ("time_zone", "slots", "teams")
ACCOUNT_FIELDS = (
    "connector",
    "base_url",
    "access_token",
    "secret",
    "identifier",
    "app_password",
    "target",
    "visibility",
    "timeout_seconds",
)
WRITE_ONLY = ("access_token", "secret", "app_password")
SHOWN = ("identifier", "target")
"""Fields scheduler answers back (not secrets): kept in the form when blank is not meant."""


def slot_lines(plan: SlotPlan) -> str:
    """One weekly slot a line: its days, then its time (`mon, tue 09:30`)."""
    return "\n".join(f"{', '.join(s.days)} {s.at[:5]}" for s in plan.slots)


def slots_body(text: str) -> list[dict[str, Any]]:
    """Lines of days and a time back into scheduler's weekly slots (it checks them)."""
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        words = listed(line.lower())
        if words:
            found.append({"days": words[:-1], "at": words[-1]})
    return found


async def _page(
    admin: Admin,
    channel: str,
    *,
    status: int = 200,
    slots: dict[str, str] | None = None,
    account: dict[str, str] | None = None,
    slot_errors: FormErrors | None = None,
    account_errors: FormErrors | None = None,
) -> object:
    visit = admin.visit
    scheduler = visit.clients.scheduler
    plan = await scheduler.slot_plan(visit.caller, admin.workspace, channel)
    current = await scheduler.channel_account(visit.caller, admin.workspace, channel)
    platforms = await scheduler.oauth_platforms(visit.caller, admin.workspace)
    if slots is None:
        slots = {"time_zone": str(visit.i18n.zone), "slots": "", "teams": ""}
        if plan is not None:
            slots = {
                "time_zone": plan.time_zone,
                "slots": slot_lines(plan),
                "teams": ", ".join(plan.teams),
            }
    if account is None:
        account = {"connector": "mastodon", "visibility": "public", "timeout_seconds": "10"}
        if current is not None:
            account = {
                "connector": current.connector,
                "base_url": current.base_url,
                "visibility": current.visibility,
                "timeout_seconds": "10",
                "identifier": current.identifier or "",
                "target": current.target or "",
            }
    return visit.page(
        "channels/edit.html",
        status=status,
        place=admin.place,
        channel=channel,
        plan=plan,
        current=current,
        slots=slots,
        account={k: v for k, v in account.items() if k not in WRITE_ONLY},
        slot_errors=slot_errors or FormErrors(),
        account_errors=account_errors or FormErrors(),
        connectors=CONNECTORS,
        visibilities=VISIBILITIES,
        platforms=platforms,
    )


@router.get("")
async def channels(admin: Admin, channel: Annotated[str, Query(max_length=64)] = "") -> object:
    """Every channel with a slot plan; `?channel=` opens one by name (a new one too)."""
    visit = admin.visit
    if channel.strip():
        if not CHANNEL.match(channel.strip()):
            return visit.error(400, "invalid")
        return visit.redirect(f"/w/{admin.workspace}/admin/channels/{channel.strip()}")
    plans = await visit.clients.scheduler.slot_plans(visit.caller, admin.workspace)
    return visit.page("channels/list.html", place=admin.place, plans=plans)


@router.get("/{channel}")
async def channel_page(admin: Admin, channel: ChannelName) -> object:
    return await _page(admin, channel)


@router.post("/{channel}/slots")
async def save_slots(admin: Admin, channel: ChannelName, request: Request) -> object:
    visit = admin.visit
    form = await form_values(request)
    values = {key: form.get(key, "") for key in SLOT_FIELDS}
    body = {
        "time_zone": values["time_zone"].strip(),
        "slots": slots_body(values["slots"]),
        "teams": listed(values["teams"]),
    }
    try:
        await visit.clients.scheduler.put_slot_plan(visit.caller, admin.workspace, channel, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = form_errors(exc, SLOT_FIELDS)
        return await _page(admin, channel, status=422, slots=values, slot_errors=errors)
    path = f"/w/{admin.workspace}/admin/channels/{channel}"
    return visit.redirect(path, notice="slots_saved")


@router.post("/{channel}/publishing")
async def save_account(admin: Admin, channel: ChannelName, request: Request) -> object:
    visit = admin.visit
    form = await form_values(request)
    values = {key: form.get(key, "").strip() for key in ACCOUNT_FIELDS}
    body: dict[str, Any] = {
        "connector": values["connector"],
        "base_url": values["base_url"],
        "visibility": values["visibility"] or "public",
        "timeout_seconds": values["timeout_seconds"] or 10,
    }
    for key in (*WRITE_ONLY, *SHOWN):
        if values[key]:
            body[key] = values[key]
    try:
        await visit.clients.scheduler.put_channel_account(
            visit.caller, admin.workspace, channel, body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = form_errors(exc, ACCOUNT_FIELDS)
        return await _page(admin, channel, status=422, account=values, account_errors=errors)
    path = f"/w/{admin.workspace}/admin/channels/{channel}"
    return visit.redirect(path, notice="publishing_saved")
