"""Scheduler's API: signed approval links (no account needed), and the workspace's content,
approvals and calendar with the person's access token (the staff console adds calls here)."""

from __future__ import annotations

from ensemble_console.clients.base import WorkspaceClient
from ensemble_console.models.scheduler import LinkDecided, LinkView


class SchedulerClient(WorkspaceClient):
    service = "scheduler"

    async def decision_link(self, token: str) -> LinkView:
        """What a decision link asks (410 used/expired/superseded, 401 forged); reads only."""
        return self.parse(LinkView, await self.call("GET", f"/approval-links/{token}"))

    async def decide_by_link(self, token: str, decision: str, comment: str | None) -> LinkDecided:
        body = {"decision": decision, "comment": comment}
        answer = await self.call("POST", f"/approval-links/{token}", json=body)
        return self.parse(LinkDecided, answer)
