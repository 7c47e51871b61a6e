"""Ingest's API (mentions, the inbox), with the person's access token: one method per route,
each through `as_person` (see README "Adding a screen")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ensemble_console.clients.base import Caller, WorkspaceClient
from ensemble_console.models.ingest import Mention, MentionPage, TimelineEntry


class IngestClient(WorkspaceClient):
    service = "ingest"

    async def mentions(
        self, caller: Caller, workspace: str, filters: Mapping[str, Any], *, limit: int
    ) -> MentionPage:
        """A page of the inbox, newest first (`filters` as `GET /mentions` takes them)."""
        params = {**filters, "limit": limit}
        answer = await self.as_person(caller, workspace, "GET", "/mentions", params=params)
        return self.parse(MentionPage, answer)

    async def mention(self, caller: Caller, workspace: str, mention_id: str) -> Mention:
        answer = await self.as_person(
            caller, workspace, "GET", f"/mentions/{quote(mention_id, safe='')}"
        )
        return self.parse(Mention, answer)

    async def timeline(
        self, caller: Caller, workspace: str, mention_id: str
    ) -> list[TimelineEntry]:
        path = f"/mentions/{quote(mention_id, safe='')}/timeline"
        return self.parse_list(TimelineEntry, await self.as_person(caller, workspace, "GET", path))

    async def assign(
        self,
        caller: Caller,
        workspace: str,
        mention_id: str,
        assignee: str | None,
        team: str | None,
    ) -> Mention:
        path = f"/mentions/{quote(mention_id, safe='')}/assignment"
        body = {"assignee": assignee, "team": team}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))

    async def set_status(
        self, caller: Caller, workspace: str, mention_id: str, status: str
    ) -> Mention:
        path = f"/mentions/{quote(mention_id, safe='')}/status"
        body = {"status": status}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))

    async def add_note(self, caller: Caller, workspace: str, mention_id: str, text: str) -> Mention:
        path = f"/mentions/{quote(mention_id, safe='')}/notes"
        body = {"text": text}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))
