"""HTTP routes of OAuth connections: start one (admins), then the console's callback
exchanges the code and the person confirms; the platforms that offer "Connect"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_scheduler.handlers.deps import Connections
from ensemble_scheduler.handlers.publishing import ChannelName
from ensemble_scheduler.models.oauth import (
    CodeIn,
    ConnectionStart,
    ConnectionStarted,
    ConnectionView,
    PlatformView,
)
from ensemble_scheduler.models.publishing import ChannelAccountView
from ensemble_shared.web.auth import Admin

State = Annotated[str, Path(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]

router = APIRouter(tags=["publishing"])


@router.get("/publishing/oauth-platforms", summary="Platforms an account can be connected on.")
async def platforms(principal: Admin, connections: Connections) -> list[PlatformView]:
    return connections.platforms()


@router.post(
    "/publishing/channels/{channel}/connections",
    status_code=201,
    summary="Start connecting the channel's account with OAuth: the authorize URL.",
)
async def start(
    channel: ChannelName, body: ConnectionStart, principal: Admin, connections: Connections
) -> ConnectionStarted:
    return await connections.start(principal, channel, body)


@router.get("/publishing/connections/{state}", summary="A connection under way (yours).")
async def view(state: State, principal: Admin, connections: Connections) -> ConnectionView:
    return await connections.view(principal, state)


@router.post(
    "/publishing/connections/{state}/code",
    summary="The provider's code, exchanged once; the tokens wait for `use`.",
)
async def exchange(
    state: State, body: CodeIn, principal: Admin, connections: Connections
) -> ConnectionView:
    return await connections.exchange(principal, state, body)


@router.post(
    "/publishing/connections/{state}/use",
    summary="The connected account becomes the channel's (a new revision).",
)
async def use(state: State, principal: Admin, connections: Connections) -> ChannelAccountView:
    return await connections.use(principal, state)
