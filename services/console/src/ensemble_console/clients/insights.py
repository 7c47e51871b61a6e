"""Insights' API (figures over a period against the one before, CSV exports), with the
person's access token: what the Insights page reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import httpx

from ensemble_console.clients.base import ApiError, Caller, Unreachable, WorkspaceClient
from ensemble_console.models.insights import Breakdown, Overview, Series


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
