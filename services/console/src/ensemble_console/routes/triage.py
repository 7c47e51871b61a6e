"""Ingest's triage settings (admins): the rules (a query over mentions and what a match
does: tags, priority, team, kind), VIP authors, the priority of negative mentions and the
languages detection chooses from, as one form; a save replaces them all. A rule keeps its
id (mentions name the rules that matched them); a blank row adds one. A 422 from ingest
(a query that does not compile says where) is shown next to its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData

from ensemble_console.clients import ApiError
from ensemble_console.models.ingest import TriageSettings
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_rows import indices, items, renumber

router = APIRouter(prefix="/w/{workspace}/admin/triage")

PRIORITIES = ("low", "normal", "high", "urgent")
KINDS = ("request", "feedback")
MAX_ROWS = 200
ROW_FIELDS = (
    "id",
    "name",
    "query",
    "actions.tags",
    "actions.priority",
    "actions.team",
    "actions.mark_as",
)


def rows_of(settings: TriageSettings) -> list[dict[str, Any]]:
    """The stored rules as the form's rows, then a blank row for a new one."""
    rows = [
        {
            "id": rule.id,
            "name": rule.name,
            "query": rule.query,
            "tags": ", ".join(rule.actions.tags),
            "priority": rule.actions.priority or "",
            "team": rule.actions.team or "",
            "mark_as": rule.actions.mark_as or "",
            "enabled": rule.enabled,
        }
        for rule in settings.rules
    ]
    blank = {"id": "", "name": "", "query": "", "tags": "", "priority": "", "team": ""}
    return [*rows, {**blank, "mark_as": "", "enabled": True}]


def posted_rows(form: FormData) -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for n in indices(form.keys(), "rules")[:MAX_ROWS]:
        key = f"rules.{n}."
        text = {name: str(form.get(key + name, "")).strip() for name in ROW_FIELDS}
        rows[n] = {
            "id": text["id"],
            "name": text["name"],
            "query": text["query"],
            "tags": text["actions.tags"],
            "priority": text["actions.priority"],
            "team": text["actions.team"],
            "mark_as": text["actions.mark_as"],
            "enabled": form.get(key + "enabled") == "on",
            "remove": form.get(key + "remove") == "on",
        }
    return rows


def rule_body(row: dict[str, Any]) -> dict[str, Any]:
    rule = {
        "name": row["name"],
        "query": row["query"],
        "enabled": row["enabled"],
        "actions": {
            "tags": items(row["tags"]),
            "priority": row["priority"] or None,
            "team": row["team"] or None,
            "mark_as": row["mark_as"] or None,
        },
    }
    return {"id": row["id"], **rule} if row["id"] else rule


async def _page(
    admin: Admin,
    status: int = 200,
    shown: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = admin.visit
    if shown is None:
        current = await visit.clients.ingest.triage_settings(visit.caller, admin.workspace)
        shown = {
            "rows": rows_of(current),
            "vip_authors": "\n".join(current.vip_authors),
            "negative_priority": current.negative_priority,
            "languages": ", ".join(current.languages),
        }
    return visit.page(
        "triage/settings.html",
        status=status,
        place=admin.place,
        priorities=PRIORITIES,
        kinds=KINDS,
        errors=errors or {},
        **shown,
    )


@router.get("")
async def triage_settings(admin: Admin) -> object:
    return await _page(admin)


@router.post("")
async def save_triage_settings(admin: Admin, request: Request) -> object:
    visit = admin.visit
    form = await request.form()
    rows = posted_rows(form)
    sent = [n for n, row in rows.items() if (row["name"] or row["query"]) and not row["remove"]]
    vips, languages = str(form.get("vip_authors", "")), str(form.get("languages", ""))
    negative = str(form.get("negative_priority", ""))
    shown = {
        "rows": list(rows.values()),
        "vip_authors": vips,
        "negative_priority": negative,
        "languages": languages,
    }
    body = {
        "rules": [rule_body(rows[n]) for n in sent],
        "vip_authors": items(vips),
        "negative_priority": negative,
        "languages": items(languages, spaces=True),
    }
    try:
        await visit.clients.ingest.save_triage_settings(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = renumber(exc.fields, "rules", sent) or {"": exc.message}
        return await _page(admin, 422, shown, errors)
    return visit.redirect(f"/w/{admin.workspace}/admin/triage", notice="triage_saved")
