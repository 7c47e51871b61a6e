"""Insights' API (figures over a period against the one before, members, stocks, the
timeline, share of voice, CSV exports; the workspace's settings; weekly reports), with the
person's access token: what the Insights pages read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import httpx

from ensemble_console.clients.base import ApiError, Caller, Unreachable, WorkspaceClient
from ensemble_console.models.insight_settings import InsightSettings, Report, ReportSummary
from ensemble_console.models.insights import (
    Breakdown,
    Members,
    Overview,
    Series,
    Stocks,
    Timeline,
)


@dataclass
class Download:
    """A file an API is sending: its headers now, its body as it arrives (close it after)."""

    media_type: str
    disposition: str
    response: httpx.Response

    def body(self) -> AsyncIterator[bytes]:
        return self.response.aiter_bytes()

    async def close(self) -> None:
        await self.response.aclose()


def _range(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


class InsightsClient(WorkspaceClient):
    service = "insights"

    async def overview(self, caller: Caller, workspace: str, start: date, end: date) -> Overview:
        answer = await self.as_person(
            caller, workspace, "GET", "/insights/overview", params=_range(start, end)
        )
        return self.parse(Overview, answer)

    async def series(
        self, caller: Caller, workspace: str, metric: str, start: date, end: date
    ) -> Series:
        """A metric per day, with the period before (`compare`)."""
        params = {**_range(start, end), "metric": metric, "compare": "true"}
        answer = await self.as_person(caller, workspace, "GET", "/insights/series", params=params)
        return self.parse(Series, answer)

    async def breakdown(
        self, caller: Caller, workspace: str, metric: str, by: str, start: date, end: date
    ) -> Breakdown:
        params = {**_range(start, end), "metric": metric, "by": by, "compare": "true"}
        answer = await self.as_person(
            caller, workspace, "GET", "/insights/breakdown", params=params
        )
        return self.parse(Breakdown, answer)

    async def members(self, caller: Caller, workspace: str, start: date, end: date) -> Members:
        params = _range(start, end)
        answer = await self.as_person(caller, workspace, "GET", "/insights/members", params=params)
        return self.parse(Members, answer)

    async def stocks(self, caller: Caller, workspace: str) -> Stocks:
        """As they stand now: no period."""
        return self.parse(
            Stocks, await self.as_person(caller, workspace, "GET", "/insights/stocks")
        )

    async def timeline(self, caller: Caller, workspace: str, start: date, end: date) -> Timeline:
        params = _range(start, end)
        answer = await self.as_person(caller, workspace, "GET", "/insights/timeline", params=params)
        return self.parse(Timeline, answer)

    async def share_of_voice(
        self, caller: Caller, workspace: str, start: date, end: date
    ) -> Breakdown:
        """Mentions by the tags the settings track (every tag when none), with the period before."""
        params = {**_range(start, end), "compare": "true"}
        answer = await self.as_person(
            caller, workspace, "GET", "/insights/share-of-voice", params=params
        )
        return self.parse(Breakdown, answer)

    async def settings(self, caller: Caller, workspace: str) -> InsightSettings:
        answer = await self.as_person(caller, workspace, "GET", "/insights/settings")
        return self.parse(InsightSettings, answer)

    async def save_settings(
        self, caller: Caller, workspace: str, body: dict[str, object]
    ) -> InsightSettings:
        """Admins; the whole settings (a PUT): a 422 names the field by its body path."""
        answer = await self.as_person(caller, workspace, "PUT", "/insights/settings", json=body)
        return self.parse(InsightSettings, answer)

    async def reports(self, caller: Caller, workspace: str) -> list[ReportSummary]:
        """Newest first (insights keeps a year's worth in one answer)."""
        answer = await self.as_person(caller, workspace, "GET", "/insights/reports")
        return self.parse_list(ReportSummary, answer)

    async def report(self, caller: Caller, workspace: str, report_id: str) -> Report:
        answer = await self.as_person(caller, workspace, "GET", f"/insights/reports/{report_id}")
        return self.parse(Report, answer)

    async def make_report(self, caller: Caller, workspace: str, start: str) -> Report:
        """Managers: the week starting on `start` (a Monday, as typed), made and sent once."""
        answer = await self.as_person(
            caller, workspace, "POST", "/insights/reports", json={"start": start}
        )
        return self.parse(Report, answer)

    async def export_csv(
        self,
        caller: Caller,
        workspace: str,
        metric: str,
        start: date,
        end: date,
        by: str | None = None,
    ) -> Download:
        """The CSV as insights streams it; a refusal is raised before any byte is sent on."""
        if caller.session is None:
            raise ApiError(401, "unauthenticated", "sign in first", service=self.service)
        token = await self._tokens.get(caller.session, workspace)
        params = {**_range(start, end), "metric": metric, "compare": "true", "by": by}
        request = self._http.build_request(
            "GET",
            f"{self.base_url}/insights/export.csv",
            headers=self._headers(caller.origin, token),
            params={k: v for k, v in params.items() if v is not None},
        )
        try:
            response = await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise Unreachable(503, "unreachable", type(exc).__name__, service=self.service) from exc
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ApiError.of(self.service, response)
        return Download(
            media_type=response.headers.get("content-type", "text/csv; charset=utf-8"),
            disposition=response.headers.get("content-disposition", "attachment"),
            response=response,
        )
