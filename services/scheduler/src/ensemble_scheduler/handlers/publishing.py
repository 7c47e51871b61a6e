"""HTTP routes of publishing: channel accounts, publication state, reconciliation."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Path

from ensemble_scheduler.handlers.deps import Accounts, Publishing
from ensemble_scheduler.models.publishing import (
    ChannelAccountIn,
    ChannelAccountView,
    PublicationView,
)
from ensemble_shared.web.auth import Admin, Internal

ChannelName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]

router = APIRouter(tags=["publishing"])


@router.put(
    "/publishing/channels/{channel}",
    summary="Where a channel publishes: a Mastodon, Bluesky, GitHub or Slack account, or a "
    "signed webhook.",
)
async def put_account(
    channel: ChannelName, body: ChannelAccountIn, principal: Admin, accounts: Accounts
) -> ChannelAccountView:
    return await accounts.put(principal, channel, body)


@router.get("/publishing/channels/{channel}", summary="A channel's account.")
async def get_account(
    channel: ChannelName, principal: Internal, accounts: Accounts
) -> ChannelAccountView:
    return await accounts.get(principal.workspace, channel)


@router.get(
    "/content/{content_id}/publication", summary="Whether an item went out, and its post id."
)
async def get_publication(
    content_id: str, principal: Internal, publishing: Publishing
) -> PublicationView:
    return await publishing.view(principal.workspace, content_id)


@router.post(
    "/publishing/reconcile",
    summary="Settle the workspace's publications in flight longer than N seconds by asking "
    "the platforms.",
)
async def reconcile(
    principal: Admin,
    publishing: Publishing,
    older_than_seconds: Annotated[int, Body(embed=True, ge=0, le=7 * 86_400)] = 600,
) -> dict[str, str]:
    return await publishing.reconcile_stuck(
        principal.workspace, timedelta(seconds=older_than_seconds)
    )
