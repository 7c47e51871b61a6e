"""Ingest's HTTP API: sources, the generic signed webhook, and reading mentions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from ensemble_ingest.models.mentions import GenericWebhook, IngestOutcome, Mention, MentionPage
from ensemble_ingest.models.sources import SourceCreate, SourceCreated, SourceOut
from ensemble_ingest.services.mentions import MentionService
from ensemble_ingest.services.sources import SourceService
from ensemble_shared.auth import Principal, Role
from ensemble_shared.events import new_id
from ensemble_shared.logs import correlation_id
from ensemble_shared.web import CurrentPrincipal, require_roles
from ensemble_shared.web.openapi import raw_json_body


def _sources(request: Request) -> SourceService:
    service: SourceService = request.app.state.sources
    return service


def _mentions(request: Request) -> MentionService:
    service: MentionService = request.app.state.mentions
    return service


Sources = Annotated[SourceService, Depends(_sources)]
Mentions = Annotated[MentionService, Depends(_mentions)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Staff = Annotated[Principal, Depends(require_roles(Role.MANAGER, Role.APPROVER))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]

router = APIRouter()


@router.post("/sources", status_code=201, tags=["sources"], summary="Connect a source.")
async def create_source(body: SourceCreate, principal: Admin, sources: Sources) -> SourceCreated:
    source, secret = await sources.create(principal.workspace, body)
    return SourceCreated(**SourceOut.of(source).model_dump(), secret=secret)


@router.get("/sources", tags=["sources"], summary="The workspace's sources.")
async def list_sources(principal: Admin, sources: Sources, limit: Limit = 100) -> list[SourceOut]:
    return [SourceOut.of(s) for s in await sources.list(principal.workspace, limit=limit)]


@router.post(
    "/webhooks/generic/{source_id}",
    status_code=202,
    tags=["webhooks"],
    summary="Receive a mention signed per Standard Webhooks.",
    description=(
        "Headers webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature "
        "(v1, HMAC-SHA256 with the source's secret) are required: anything else is 401 and "
        "nothing is stored. A mention already received is accepted and changes nothing."
    ),
    openapi_extra=raw_json_body(GenericWebhook),
    responses={401: {"description": "Missing, stale or forged signature."}},
)
async def generic_webhook(
    source_id: str, request: Request, sources: Sources, mentions: Mentions
) -> IngestOutcome:
    body = await request.body()
    source = await sources.authenticate(source_id, dict(request.headers), body)
    try:
        webhook = GenericWebhook.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc
    outcomes = await mentions.ingest(
        source, [webhook.data], correlation_id=correlation_id.get() or new_id()
    )
    return outcomes[0]


@router.get("/mentions", tags=["mentions"], summary="Mentions, newest first.")
async def list_mentions(
    principal: Staff,
    mentions: Mentions,
    limit: Limit = 50,
    before: Annotated[datetime | None, Query(description="Cursor from next_before.")] = None,
) -> MentionPage:
    items = await mentions.list(principal.workspace, limit=limit, before=before)
    next_before = items[-1].received_at if len(items) == limit else None
    return MentionPage(items=items, next_before=next_before)


@router.get("/mentions/{mention_id}", tags=["mentions"], summary="One mention.")
async def get_mention(mention_id: str, principal: CurrentPrincipal, mentions: Mentions) -> Mention:
    return await mentions.get(principal.workspace, mention_id)
