"""Ingest's API (sources and their raw payload archive), with the person's access token.

One method per route, each through `as_person` (see README "Adding a screen"); the inbox
screens add theirs beside these."""

from __future__ import annotations

from ensemble_console.clients.base import Caller, WorkspaceClient
from ensemble_console.models.sources import RawEntry, RawPage, Source, SourceCreated


class IngestClient(WorkspaceClient):
    service = "ingest"

    async def sources(self, caller: Caller, workspace: str) -> list[Source]:
        listed = await self.as_person(caller, workspace, "GET", "/sources")
        return self.parse_list(Source, listed)

    async def source(self, caller: Caller, workspace: str, source_id: str) -> Source:
        """One source with its health (pulled sources: last success, error, lag, budget)."""
        answer = await self.as_person(caller, workspace, "GET", f"/sources/{source_id}")
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
            caller, workspace, "PUT", f"/sources/{source_id}/enabled", json={"enabled": enabled}
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
            f"/sources/{source_id}/raw",
            params={"status": status, "cursor": cursor, "limit": 25},
        )
        return self.parse(RawPage, answer)

    async def redrive(self, caller: Caller, workspace: str, raw_id: str) -> RawEntry:
        answer = await self.as_person(caller, workspace, "POST", f"/raw/{raw_id}/redrive")
        return self.parse(RawEntry, answer)
