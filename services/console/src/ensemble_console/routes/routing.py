"""Notify's routing rules (admins): which events reach which people, teams, approvers or the
on-call team, on which channels, as one form of rows; a save replaces the whole rule set.
Two blank rows add rules; a row left without an event type, or marked for removal, is
dropped. A 422 from notify is shown next to the row's field that caused it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData

from ensemble_console.clients import ApiError
from ensemble_console.models.notify import RoutingRules
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_rows import indices, items, renumber

router = APIRouter(prefix="/w/{workspace}/admin/routing")

CHANNELS = ("email", "in_app", "slack", "teams", "webhook")
BLANK_ROWS = 2
MAX_ROWS = 120  # notify keeps at most 100 rules; a few more rows let it say so


def rows_of(rules: RoutingRules) -> list[dict[str, Any]]:
    """The stored rules as the form's rows, then blank rows for new ones."""
    rows = [
        {
            "event": rule.event,
            "recipients": ", ".join(rule.recipients),
            "channels": list(rule.channels or ()),
            "urgent": rule.urgent,
            "description": rule.description or "",
        }
        for rule in rules.rules
    ]
    blank = {"event": "", "recipients": "", "channels": [], "urgent": False, "description": ""}
    return rows + [blank] * BLANK_ROWS


def posted_rows(form: FormData) -> dict[int, dict[str, Any]]:
    """The form's rows by their number, as typed (shown again when notify refuses them)."""
    rows: dict[int, dict[str, Any]] = {}
    for n in indices(form.keys(), "rules")[:MAX_ROWS]:
        key = f"rules.{n}."
        rows[n] = {
            "event": str(form.get(key + "event", "")).strip(),
            "recipients": str(form.get(key + "recipients", "")),
            "channels": [str(c) for c in form.getlist(key + "channels")],
            "urgent": form.get(key + "urgent") == "on",
            "description": str(form.get(key + "description", "")).strip(),
            "remove": form.get(key + "remove") == "on",
        }
    return rows


def rule_body(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": row["event"],
        "recipients": items(row["recipients"], spaces=True),
        "channels": row["channels"] or None,  # none ticked: every address the person has
        "urgent": row["urgent"],
        "description": row["description"] or None,
    }


async def _page(
    admin: Admin,
    status: int = 200,
    rows: list[dict[str, Any]] | None = None,
    on_call_team: str | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = admin.visit
    current = await visit.clients.notify.routing_rules(visit.caller, admin.workspace)
    return visit.page(
        "routing/rules.html",
        status=status,
        place=admin.place,
        current=current,
        rows=rows if rows is not None else rows_of(current),
        on_call_team=current.on_call_team if on_call_team is None else on_call_team,
        channels=CHANNELS,
        errors=errors or {},
    )


@router.get("")
async def routing_rules(admin: Admin) -> object:
    return await _page(admin)


@router.post("")
async def save_routing_rules(admin: Admin, request: Request) -> object:
    visit = admin.visit
    form = await request.form()
    rows = posted_rows(form)
    sent = [n for n, row in rows.items() if row["event"] and not row["remove"]]
    on_call = str(form.get("on_call_team", "")).strip()
    body = {"rules": [rule_body(rows[n]) for n in sent], "on_call_team": on_call or None}
    try:
        await visit.clients.notify.save_routing_rules(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = renumber(exc.fields, "rules", sent) or {"": exc.message}
        return await _page(admin, 422, list(rows.values()), on_call, errors)
    return visit.redirect(f"/w/{admin.workspace}/admin/routing", notice="routing_saved")
