"""Ingest's HTTP API: sources, platform webhooks, the unified inbox, triage settings."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from ensemble_ingest.models.mentions import GenericWebhook, InboxStatus, Mention, MentionPage
from ensemble_ingest.models.raw import RawPage, RawStatus, RawView
from ensemble_ingest.models.search import MentionOrder, MentionQuery
from ensemble_ingest.models.sources import SourceCreate, SourceCreated, SourceDetail, SourceOut
from ensemble_ingest.services.inbox import InboxService
from ensemble_ingest.services.raw import RawService
from ensemble_ingest.services.sources import SourceService
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.services.webhooks import WebhookService
from ensemble_ingest.triage import TriageSettings
from ensemble_shared.events import new_id
from ensemble_shared.logs import correlation_id
from ensemble_shared.web.auth import Admin, Internal
from ensemble_shared.web.openapi import raw_json_body
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize


def _service(name: str) -> Any:
    """The service `name` of this process (built once by `wiring.build`)."""

    def get(request: Request) -> Any:
        return getattr(request.app.state.ingest, name)

    return get


Sources = Annotated[SourceService, Depends(_service("sources"))]
Webhooks = Annotated[WebhookService, Depends(_service("webhooks"))]
Inbox = Annotated[InboxService, Depends(_service("inbox"))]
Raws = Annotated[RawService, Depends(_service("raws"))]
Triages = Annotated[TriageProvider, Depends(_service("triage"))]
Platform = Literal["generic", "meta", "x", "slack", "github", "youtube"]

router = APIRouter()


@router.post("/sources", status_code=201, tags=["sources"], summary="Connect a source.")
async def create_source(body: SourceCreate, principal: Admin, sources: Sources) -> SourceCreated:
    source, secret = await sources.create(principal, body)
    return SourceCreated(**SourceOut.of(source).model_dump(), secret=secret)


@router.get("/sources", tags=["sources"], summary="The workspace's sources.")
async def list_sources(
    principal: Admin, sources: Sources, limit: PageSize = 100
) -> list[SourceOut]:
    return [SourceOut.of(s) for s in await sources.in_workspace(principal, limit=limit)]


@router.get("/sources/{source_id}", tags=["sources"], summary="A source and its health.")
async def get_source(source_id: str, principal: Admin, sources: Sources) -> SourceDetail:
    return await sources.detail(principal, source_id)


class Enabled(BaseModel):
    enabled: bool


@router.put("/sources/{source_id}/enabled", tags=["sources"], summary="Pause or resume.")
async def set_enabled(
    source_id: str, body: Enabled, principal: Admin, sources: Sources
) -> SourceDetail:
    return await sources.set_enabled(principal, source_id, body.enabled)


@router.get(
    "/webhooks/{platform}/{source_id}",
    tags=["webhooks"],
    summary="The platform's verification handshake (hub.challenge, crc_token, ...).",
)
async def webhook_handshake(
    platform: Platform, source_id: str, request: Request, webhooks: Webhooks
) -> Response:
    reply = await webhooks.handshake(platform, source_id, dict(request.query_params))
    return Response(reply.body, status_code=reply.status, media_type=reply.media_type)


class TouchedOut(BaseModel):
    mention_id: str
    result: Literal["created", "updated", "unchanged", "deleted", "unknown"]


class WebhookAccepted(BaseModel):
    raw_id: str = Field(description="The archived payload; GET /raw/{raw_id} traces it.")
    mentions: list[TouchedOut]


@router.post(
    "/webhooks/{platform}/{source_id}",
    status_code=202,
    tags=["webhooks"],
    summary="Receive a platform's signed webhook.",
    description=(
        "Each platform's own signature is required (Standard Webhooks for `generic`: "
        "webhook-id, webhook-timestamp within 5 minutes, webhook-signature). Unsigned, forged "
        "or replayed requests are 401 and nothing is stored. Authentic but malformed payloads "
        "are archived as rejected and answered 422 with the reason. Repeats change nothing."
    ),
    openapi_extra=raw_json_body(GenericWebhook),
    responses={401: {"description": "Missing, stale or forged signature."}},
    response_model=WebhookAccepted,
)
async def receive_webhook(
    platform: Platform, source_id: str, request: Request, webhooks: Webhooks
) -> Response | WebhookAccepted:
    headers = {k.lower(): v for k, v in request.headers.items()}
    received = await webhooks.receive(
        platform,
        source_id,
        headers,
        await request.body(),
        correlation_id=correlation_id.get() or new_id(),
    )
    if received.reply is not None:
        reply = received.reply
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type)
    return WebhookAccepted(
        raw_id=received.raw_id,
        mentions=[TouchedOut(mention_id=t.mention_id, result=t.result) for t in received.touched],
    )


@router.get(
    "/mentions",
    tags=["inbox"],
    summary="Search the inbox, newest first or longest-waiting first.",
    description=(
        "`sort=oldest` lists the longest-waiting mentions first (the SLA age). A `cursor` "
        "continues the order it was made in: given with the other `sort`, it is 422."
    ),
)
async def search_mentions(
    principal: Internal,
    inbox: Inbox,
    query: Annotated[MentionQuery, Query()],
    sort: Annotated[MentionOrder, Query(description="By arrival: newest or oldest first.")] = (
        "newest"
    ),
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> MentionPage:
    return await inbox.search(principal, query, limit=limit, cursor=cursor, sort=sort)


@router.get("/mentions/{mention_id}", tags=["inbox"], summary="One mention.")
async def get_mention(mention_id: str, principal: Internal, inbox: Inbox) -> Mention:
    return await inbox.get(principal, mention_id)


@router.get(
    "/mentions/{mention_id}/timeline", tags=["inbox"], summary="What happened to it, in order."
)
async def mention_timeline(
    mention_id: str, principal: Internal, inbox: Inbox
) -> list[dict[str, Any]]:
    return await inbox.timeline(principal, mention_id)


class Assignment(BaseModel):
    assignee: str | None = Field(default=None, min_length=1, max_length=200)
    team: str | None = Field(default=None, min_length=1, max_length=200)


@router.post("/mentions/{mention_id}/assignment", tags=["inbox"], summary="Assign it.")
async def assign_mention(
    mention_id: str, body: Assignment, principal: Internal, inbox: Inbox
) -> Mention:
    return await inbox.assign(principal, mention_id, assignee=body.assignee, team=body.team)


class StatusChange(BaseModel):
    status: InboxStatus


@router.post("/mentions/{mention_id}/status", tags=["inbox"], summary="Move it along.")
async def change_status(
    mention_id: str, body: StatusChange, principal: Internal, inbox: Inbox
) -> Mention:
    return await inbox.set_status(principal, mention_id, body.status)


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


@router.post("/mentions/{mention_id}/notes", tags=["inbox"], summary="Add an internal note.")
async def add_note(mention_id: str, body: NoteIn, principal: Internal, inbox: Inbox) -> Mention:
    return await inbox.add_note(principal, mention_id, body.text)


@router.get("/raw/{raw_id}", tags=["inbox"], summary="An archived payload and what became of it.")
async def get_raw(raw_id: str, principal: Internal, raws: Raws) -> RawView:
    return await raws.view(principal, raw_id)


@router.get(
    "/sources/{source_id}/raw",
    tags=["sources"],
    summary="A source's archived payloads, newest first, with what became of each.",
    description=(
        "`status` keeps pending, processed or rejected payloads only; such a page may hold "
        "fewer than `limit` items while `next_cursor` says more may follow."
    ),
)
async def list_raw(
    source_id: str,
    principal: Admin,
    raws: Raws,
    status: RawStatus | None = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> RawPage:
    return await raws.of_source(principal, source_id, status=status, cursor=cursor, limit=limit)


@router.post(
    "/raw/{raw_id}/redrive",
    tags=["sources"],
    summary="Process a pending payload now (what the periodic sweep would do later).",
    responses={409: {"description": "Already processed or rejected: its outcome stays."}},
)
async def redrive_raw(raw_id: str, principal: Admin, raws: Raws) -> RawView:
    return await raws.redrive_one(principal, raw_id)


@router.get("/triage/settings", tags=["triage"], summary="Rules and VIP authors.")
async def get_triage(principal: Internal, triage: Triages) -> TriageSettings:
    return await triage.settings(principal)


@router.put("/triage/settings", tags=["triage"], summary="Replace rules and VIP authors.")
async def put_triage(body: TriageSettings, principal: Admin, triage: Triages) -> TriageSettings:
    await triage.replace(principal, body)
    return body
