"""The signed-in person's unread notifications, shown next to "Notifications" in every staff
page's navigation.

A page asks notify once (`GET /inbox/unread-count`, the person's own token) while it is drawn;
the count then follows through the console's own event stream (`web/live.py`,
`/w/{ws}/notifications/live`). The count is a courtesy, never a reason for a page to fail or
wait: when notify refuses, fails or is slow (`TIMEOUT_SECONDS`), the page shows no count.
"""

from __future__ import annotations

import asyncio
import logging

from ensemble_console.clients import ApiError
from ensemble_console.web.visit import Visit

TIMEOUT_SECONDS = 1.0
log = logging.getLogger(__name__)


async def unread_or_none(visit: Visit, workspace: str) -> int | None:
    """The person's unread count in `workspace`, or None when notify does not say in time."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            return await visit.clients.notify.unread(visit.caller, workspace)
    except (ApiError, TimeoutError) as exc:
        log.info("no unread count for the navigation: %s", type(exc).__name__)
        return None
