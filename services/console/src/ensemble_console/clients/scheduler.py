"""Scheduler's API: signed approval links (no account needed), and the workspace's content,
approvals and calendar with the person's access token (the staff console adds calls here)."""

from __future__ import annotations

from urllib.parse import quote

from ensemble_console.clients.base import Caller, WorkspaceClient
from ensemble_console.models.scheduler import (
    ApprovalView,
    ContentView,
    Crisis,
    LinkDecided,
    LinkView,
)


class SchedulerClient(WorkspaceClient):
    service = "scheduler"

    async def decision_link(self, token: str) -> LinkView:
        """What a decision link asks (410 used/expired/superseded, 401 forged); reads only."""
        return self.parse(LinkView, await self.call("GET", f"/approval-links/{token}"))

    async def decide_by_link(self, token: str, decision: str, comment: str | None) -> LinkDecided:
        body = {"decision": decision, "comment": comment}
        answer = await self.call("POST", f"/approval-links/{token}", json=body)
        return self.parse(LinkDecided, answer)

    async def draft_reply(
        self, caller: Caller, workspace: str, mention_id: str, channel: str, body: str
    ) -> ContentView:
        """A reply to a mention, as a draft (version 1); approval is requested apart."""
        draft = {
            "kind": "reply",
            "channel": channel,
            "body": body,
            "reply_to": {"mention_id": mention_id},
        }
        answer = await self.as_person(caller, workspace, "POST", "/content", json=draft)
        return self.parse(ContentView, answer)

    async def request_approval(self, caller: Caller, workspace: str, content_id: str) -> None:
        """Starts the workflow the workspace's policies choose (400 none, 409 not yet)."""
        path = f"/content/{quote(content_id, safe='')}/approval"
        await self.as_person(caller, workspace, "POST", path, json={})

    async def content(self, caller: Caller, workspace: str, content_id: str) -> ContentView:
        answer = await self.as_person(
            caller, workspace, "GET", f"/content/{quote(content_id, safe='')}"
        )
        return self.parse(ContentView, answer)

    async def approval(self, caller: Caller, workspace: str, content_id: str) -> ApprovalView:
        path = f"/content/{quote(content_id, safe='')}/approval"
        return self.parse(ApprovalView, await self.as_person(caller, workspace, "GET", path))

    async def crises(self, caller: Caller, workspace: str, *, limit: int) -> list[Crisis]:
        """Negative spikes, newest first."""
        answer = await self.as_person(caller, workspace, "GET", "/crises", params={"limit": limit})
        return self.parse_list(Crisis, answer)
