"""Ingest's API (mentions, the inbox; sources and their raw payload archive; triage
settings), with the
person's access token: one method per route, each through `as_person` (see README "Adding a
screen")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ensemble_console.clients.base import Caller, WorkspaceClient, segment
from ensemble_console.models.ingest import (
    Mention,
    MentionPage,
    SavedView,
    TimelineEntry,
    TriageSettings,
)
from ensemble_console.models.sources import RawEntry, RawPage, Source, SourceCreated


class IngestClient(WorkspaceClient):
    service = "ingest"

    async def mentions(
        self, caller: Caller, workspace: str, filters: Mapping[str, Any], *, limit: int
    ) -> MentionPage:
        """A page of the inbox (`filters` and `sort` as `GET /mentions` takes them)."""
        params = {**filters, "limit": limit}
        answer = await self.as_person(caller, workspace, "GET", "/mentions", params=params)
        return self.parse(MentionPage, answer)

    async def views(self, caller: Caller, workspace: str) -> list[SavedView]:
        """The caller's own saved inbox views, by name."""
        return self.parse_list(SavedView, await self.as_person(caller, workspace, "GET", "/views"))

    async def save_view(
        self, caller: Caller, workspace: str, name: str, filters: Mapping[str, Any], sort: str
    ) -> SavedView:
        """409: the person has a view of that name; 422: a refused filter, or 50 views already."""
        body = {"name": name, "filters": dict(filters), "sort": sort}
        answer = await self.as_person(caller, workspace, "POST", "/views", json=body)
        return self.parse(SavedView, answer)

    async def delete_view(self, caller: Caller, workspace: str, view_id: str) -> None:
        await self.as_person(caller, workspace, "DELETE", f"/views/{segment(view_id)}")

    async def mention(self, caller: Caller, workspace: str, mention_id: str) -> Mention:
        answer = await self.as_person(caller, workspace, "GET", f"/mentions/{segment(mention_id)}")
        return self.parse(Mention, answer)

    async def timeline(
        self, caller: Caller, workspace: str, mention_id: str
    ) -> list[TimelineEntry]:
        path = f"/mentions/{segment(mention_id)}/timeline"
        return self.parse_list(TimelineEntry, await self.as_person(caller, workspace, "GET", path))

    async def assign(
        self,
        caller: Caller,
        workspace: str,
        mention_id: str,
        assignee: str | None,
        team: str | None,
    ) -> Mention:
        path = f"/mentions/{segment(mention_id)}/assignment"
        body = {"assignee": assignee, "team": team}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))

    async def set_status(
        self, caller: Caller, workspace: str, mention_id: str, status: str
    ) -> Mention:
        path = f"/mentions/{segment(mention_id)}/status"
        body = {"status": status}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))

    async def add_note(self, caller: Caller, workspace: str, mention_id: str, text: str) -> Mention:
        path = f"/mentions/{segment(mention_id)}/notes"
        body = {"text": text}
        return self.parse(Mention, await self.as_person(caller, workspace, "POST", path, json=body))

    async def sources(self, caller: Caller, workspace: str) -> list[Source]:
        listed = await self.as_person(caller, workspace, "GET", "/sources")
        return self.parse_list(Source, listed)

    async def source(self, caller: Caller, workspace: str, source_id: str) -> Source:
        """One source with its health (pulled sources: last success, error, lag, budget)."""
        answer = await self.as_person(caller, workspace, "GET", f"/sources/{segment(source_id)}")
        return self.parse(Source, answer)

    async def create_source(
        self, caller: Caller, workspace: str, body: dict[str, object]
    ) -> SourceCreated:
        answer = await self.as_person(caller, workspace, "POST", "/sources", json=body)
        return self.parse(SourceCreated, answer)

    async def set_source_enabled(
        self, caller: Caller, workspace: str, source_id: str, enabled: bool
    ) -> Source:
        answer = await self.as_person(
            caller,
            workspace,
            "PUT",
            f"/sources/{segment(source_id)}/enabled",
            json={"enabled": enabled},
        )
        return self.parse(Source, answer)

    async def raw_payloads(
        self,
        caller: Caller,
        workspace: str,
        source_id: str,
        *,
        status: str | None = None,
        cursor: str | None = None,
    ) -> RawPage:
        answer = await self.as_person(
            caller,
            workspace,
            "GET",
            f"/sources/{segment(source_id)}/raw",
            params={"status": status, "cursor": cursor, "limit": 25},
        )
        return self.parse(RawPage, answer)

    async def redrive(self, caller: Caller, workspace: str, raw_id: str) -> RawEntry:
        answer = await self.as_person(caller, workspace, "POST", f"/raw/{segment(raw_id)}/redrive")
        return self.parse(RawEntry, answer)

    async def triage_settings(self, caller: Caller, workspace: str) -> TriageSettings:
        answer = await self.as_person(caller, workspace, "GET", "/triage/settings")
        return self.parse(TriageSettings, answer)

    async def save_triage_settings(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> TriageSettings:
        """Replaces the whole settings (admins; 422 names the field, e.g. a rule's query)."""
        answer = await self.as_person(caller, workspace, "PUT", "/triage/settings", json=body)
        return self.parse(TriageSettings, answer)
