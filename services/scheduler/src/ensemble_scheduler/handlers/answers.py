"""HTTP routes of answer templates: the pre-approved replies to roadmap moves."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_scheduler.handlers.deps import Answers
from ensemble_scheduler.models.answers import AnswerTemplate, AnswerTemplateIn
from ensemble_shared.events.submissions import SubmissionStatus
from ensemble_shared.web.auth import Admin, Internal

Language = Annotated[str, Path(pattern=r"^(fr|en)$")]

router = APIRouter(tags=["answers"])


@router.put(
    "/answer-templates/{status}/{language}",
    summary="The pre-approved reply for a roadmap status, in French or English.",
)
async def put_template(
    status: SubmissionStatus,
    language: Language,
    body: AnswerTemplateIn,
    principal: Admin,
    answers: Answers,
) -> AnswerTemplate:
    return await answers.put_template(principal, status, language, body)


@router.get("/answer-templates", summary="The workspace's answer templates.")
async def list_templates(principal: Internal, answers: Answers) -> list[AnswerTemplate]:
    return await answers.templates(principal.workspace)
