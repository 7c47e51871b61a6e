"""HTTP routes of publishing: channel accounts, publication state, crises, answer templates."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from ensemble_scheduler.models.publishing import (
    AnswerTemplate,
    AnswerTemplateIn,
    ChannelAccountIn,
    ChannelAccountView,
    Crisis,
    CrisisView,
    PublicationView,
    ReleaseIn,
    ReleaseResult,
)
from ensemble_scheduler.services.answers import AnswerService
from ensemble_scheduler.services.crisis import CrisisService
from ensemble_scheduler.services.publishing import PublishingService
from ensemble_shared.events.submissions import SubmissionStatus
from ensemble_shared.web.auth import Admin, Internal


def _publishing(request: Request) -> Any:
    return request.app.state.publishing


def _crisis(request: Request) -> Any:
    return request.app.state.crisis


def _answers(request: Request) -> Any:
    return request.app.state.answers


Publishing = Annotated[PublishingService, Depends(_publishing)]
Crises = Annotated[CrisisService, Depends(_crisis)]
Answers = Annotated[AnswerService, Depends(_answers)]
ChannelName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Language = Annotated[str, Path(pattern=r"^(fr|en)$")]

router = APIRouter()


@router.put(
    "/publishing/channels/{channel}",
    tags=["publishing"],
    summary="Where a channel publishes: a Mastodon account or a signed webhook.",
)
async def put_account(
    channel: ChannelName, body: ChannelAccountIn, principal: Admin, publishing: Publishing
) -> ChannelAccountView:
    return await publishing.put_account(principal, channel, body)


@router.get("/publishing/channels/{channel}", tags=["publishing"], summary="A channel's account.")
async def get_account(
    channel: ChannelName, principal: Internal, publishing: Publishing
) -> ChannelAccountView:
    return await publishing.account(principal.workspace, channel)


@router.get(
    "/content/{content_id}/publication",
    tags=["publishing"],
    summary="Whether an item went out, and its post id.",
)
async def get_publication(
    content_id: str, principal: Internal, publishing: Publishing
) -> PublicationView:
    return await publishing.view(principal.workspace, content_id)


@router.post(
    "/publishing/reconcile",
    tags=["publishing"],
    summary="Settle publications in flight longer than N seconds by asking the platforms.",
)
async def reconcile(
    principal: Admin,
    publishing: Publishing,
    older_than_seconds: Annotated[int, Body(embed=True, ge=0, le=7 * 86_400)] = 600,
) -> dict[str, str]:
    settled = await publishing.reconcile_stuck(timedelta(seconds=older_than_seconds))
    return {k: v for k, v in settled.items()}


@router.get("/crises", tags=["crisis"], summary="Crises (negative spikes), newest first.")
async def list_crises(
    principal: Internal, crisis: Crises, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[Crisis]:
    return await crisis.crises(principal.workspace, limit=limit)


@router.get("/crises/{crisis_id}", tags=["crisis"], summary="A crisis and the items it holds.")
async def get_crisis(crisis_id: str, principal: Internal, crisis: Crises) -> CrisisView:
    return await crisis.view(principal.workspace, crisis_id)


@router.post(
    "/crises/{crisis_id}/decisions",
    tags=["crisis"],
    summary="Communication/legal decide the crisis step of held items: approval releases.",
)
async def decide_crisis(
    crisis_id: str, body: ReleaseIn, principal: Internal, crisis: Crises
) -> list[ReleaseResult]:
    return await crisis.decide(principal, crisis_id, body)


@router.put(
    "/answer-templates/{status}/{language}",
    tags=["answers"],
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


@router.get("/answer-templates", tags=["answers"], summary="The workspace's answer templates.")
async def list_templates(principal: Internal, answers: Answers) -> list[AnswerTemplate]:
    return await answers.templates(principal.workspace)
