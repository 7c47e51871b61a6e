"""Answer templates (admins): the pre-approved reply sent when an idea that came from a social
mention moves on the roadmap, one per status and language (French, English), each saved on its
own; scheduler's refusals are shown next to the template's fields."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_errors import FormErrors, form_errors

router = APIRouter(prefix="/w/{workspace}/admin/answer-templates")

STATUSES = ("open", "under_review", "planned", "in_progress", "done", "declined")
LANGUAGES = ("fr", "en")
Status = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]
Language = Literal["fr", "en"]
FIELDS = ("body", "channel")


async def _page(
    admin: Admin,
    *,
    status: int = 200,
    editing: tuple[str, str] | None = None,
    typed: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> object:
    """Every status in each language; the one refused keeps what was typed and its errors."""
    visit = admin.visit
    saved = await visit.clients.scheduler.answer_templates(visit.caller, admin.workspace)
    by_key = {(t.status, t.language): t for t in saved}
    forms = []
    for state in STATUSES:
        for language in LANGUAGES:
            template = by_key.get((state, language))
            values = {"body": template.body, "channel": template.channel or ""} if template else {}
            refused = (state, language) == editing
            forms.append(
                {
                    "status": state,
                    "language": language,
                    "saved": template,
                    "values": typed if refused and typed is not None else values,
                    "errors": errors if refused and errors else FormErrors(),
                }
            )
    return visit.page("answers/list.html", status=status, place=admin.place, forms=forms)


@router.get("")
async def templates(admin: Admin) -> object:
    return await _page(admin)


@router.post("/{status}/{language}")
async def save_template(
    admin: Admin,
    status: Status,
    language: Language,
    body: Annotated[str, Form(max_length=10_000)] = "",
    channel: Annotated[str, Form(max_length=200)] = "",
) -> object:
    visit = admin.visit
    answer = {"body": body.strip(), "channel": channel.strip() or None}
    try:
        await visit.clients.scheduler.put_answer_template(
            visit.caller, admin.workspace, status, language, answer
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _page(
            admin,
            status=422,
            editing=(status, language),
            typed={"body": body, "channel": channel},
            errors=form_errors(exc, FIELDS),
        )
    path = f"/w/{admin.workspace}/admin/answer-templates"
    return visit.redirect(path, notice="answer_template_saved")
