"""Moderation queue API for managers: pending items, approve, reject, block a member; and
for a member, what became of their own submission."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from ensemble_feedback.handlers.dependencies import Moderation
from ensemble_feedback.models.moderation import (
    BlockRequest,
    BlockResult,
    Decision,
    Outcome,
    QueueItem,
    QueuePage,
    RejectRequest,
)
from ensemble_shared.web.auth import Manager, Member
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor

# Below the shared cap of 200: a queue page reads up to five times its size of the queue.
QueueSize = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]

router = APIRouter(prefix="/moderation", tags=["moderation"])


class ItemView(BaseModel):
    item: QueueItem
    decision: Decision | None


@router.get("/queue", summary="Held items waiting for a decision, oldest first.")
async def pending(
    principal: Manager,
    moderation: Moderation,
    limit: QueueSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> QueuePage:
    return await moderation.pending(principal.workspace, limit=limit, cursor=cursor)


@router.get(
    "/mine/submissions/{submission_id}",
    summary="What moderation did with my submission (its author only; 404 for others).",
)
async def my_outcome(submission_id: str, principal: Member, moderation: Moderation) -> Outcome:
    return await moderation.outcome(principal, "submission", submission_id)


@router.get("/items/{item_id}", summary="A queue item and its decision, if any.")
async def item(item_id: str, principal: Manager, moderation: Moderation) -> ItemView:
    found, decision = await moderation.item(principal.workspace, item_id)
    return ItemView(item=found, decision=decision)


@router.post(
    "/items/{item_id}/approve",
    summary="Publish the held content. 409 when the item was already decided.",
)
async def approve(item_id: str, principal: Manager, moderation: Moderation) -> Decision:
    return await moderation.approve(principal, item_id)


@router.post(
    "/items/{item_id}/reject",
    summary="Discard the held content with a reason. 409 when the item was already decided.",
)
async def reject(
    item_id: str, body: RejectRequest, principal: Manager, moderation: Moderation
) -> Decision:
    return await moderation.reject(principal, item_id, body.reason)


@router.post(
    "/members/{member_id}/block",
    summary="Block a member: their later writes are refused, their held items rejected.",
)
async def block(
    member_id: str, body: BlockRequest, principal: Manager, moderation: Moderation
) -> BlockResult:
    return await moderation.block(principal, member_id, body.reason)
