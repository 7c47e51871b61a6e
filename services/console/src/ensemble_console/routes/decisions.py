"""Decision pages: where approval links lead (email, Slack and Teams buttons).

GET shows what is asked (the content, what changed since the last approved version, the
steps, who else decides) and never decides: mail scanners and chat unfurlers fetch links.
The form's POST decides, then a confirmation. A link that expired, was used or superseded,
or whose step no longer awaits decisions, gets a page saying so. The token is a capability:
these pages send no referrer and their paths are redacted from the logs.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import VisitOf
from ensemble_console.web.visit import Visit

router = APIRouter(prefix="/hooks/decisions")

Decision = Literal["approve", "reject", "request_changes"]


def _refused(visit: Visit, exc: ApiError) -> object:
    if exc.status == 410:
        reason = exc.reason if exc.reason in ("expired", "used", "superseded") else "used"
        return visit.page("decisions/spent.html", status=410, reason=reason)
    if exc.status == 409:
        return visit.page("decisions/spent.html", status=409, reason="closed")
    if exc.status in (401, 404):
        return visit.page("decisions/spent.html", status=404, reason="invalid")
    raise exc


@router.get("/{token}")
async def decision_page(
    visit: VisitOf,
    token: str,
    decision: Annotated[Decision | None, Query()] = None,
) -> object:
    """`?decision=approve|reject` (the buttons in messages) only preselects the choice."""
    try:
        link = await visit.clients.scheduler.decision_link(token)
    except ApiError as exc:
        return _refused(visit, exc)
    return visit.page(
        "decisions/decide.html", link=link, token=token, chosen=decision or "approve", error=""
    )


@router.post("/{token}")
async def decide(
    visit: VisitOf,
    token: str,
    decision: Annotated[Decision, Form()],
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> object:
    note = comment.strip() or None
    if decision != "approve" and note is None:
        try:
            link = await visit.clients.scheduler.decision_link(token)
        except ApiError as exc:
            return _refused(visit, exc)
        return visit.page(
            "decisions/decide.html",
            status=422,
            link=link,
            token=token,
            chosen=decision,
            error="reason",
        )
    try:
        decided = await visit.clients.scheduler.decide_by_link(token, decision, note)
    except ApiError as exc:
        return _refused(visit, exc)
    return visit.page("decisions/decided.html", decided=decided)
