"""The signed-in person's unread notifications, shown next to "Notifications" in every staff
page's navigation.

A staff page asks notify once (`GET /inbox/unread-count`, the person's own token) while it is
drawn, started beside identity's `GET /me` (`visit_of`) so the page waits for the slower of
the two, not both; the count then follows through the console's own event stream
(`web/live.py`, `/w/{ws}/notifications/live`). The count is a courtesy, never a reason for a
page to fail or wait long: when notify refuses, fails or is slow (`TIMEOUT_SECONDS`), the page
shows no count.
"""

from __future__ import annotations

import asyncio
import logging

from fastapi import Request

from ensemble_console.clients import ApiError, Caller, Clients
from ensemble_console.web.live import wants_stream

TIMEOUT_SECONDS = 1.0
log = logging.getLogger(__name__)


async def unread_or_none(clients: Clients, caller: Caller, workspace: str) -> int | None:
    """The person's unread count in `workspace`, or None when notify does not say in time."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await clients.notify.unread(caller, workspace)
    except (ApiError, TimeoutError) as exc:
        log.info("no unread count for the navigation: %s", type(exc).__name__)
        return None


def start_counting(
    request: Request, clients: Clients, caller: Caller
) -> asyncio.Task[int | None] | None:
    """The count of a workspace page about to be drawn (a GET under `/w/{ws}/`, not a
    stream), started now; None for anything else. The `Staff` dependency awaits it, or
    cancels it when the person has no staff place there."""
    workspace = request.path_params.get("workspace")
    if (
        caller.session is None
        or request.method != "GET"
        or not request.url.path.startswith("/w/")
        or not isinstance(workspace, str)
        or wants_stream(request)
    ):
        return None
    return asyncio.create_task(unread_or_none(clients, caller, workspace))
