"""Weekly reports: one document per workspace and week, inserted once with its event.

The `_id` (workspace and first day) makes a report a fact that cannot be written twice: every
replica may try to make the week's report, one insert wins, and only its event (staged in the
same document, `ensemble_shared.outbox`) is published.
"""

from __future__ import annotations

from typing import Any

from ensemble_insights.models.reports import Report, ReportSummary
from ensemble_shared.events import Event
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Collection
from ensemble_shared.storage.lookups import find_owned


def report_key(workspace: str, report_id: str) -> str:
    return f"{workspace}\x1f{report_id}"


class ReportRepository:
    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self._collection = collection
        self._outbox = outbox

    async def insert(self, report: Report, event: Event) -> bool:
        """Store the report and announce it, unless that week's report exists already."""
        document: dict[str, Any] = {
            "_id": report_key(report.workspace, report.id),
            **report.model_dump(mode="json"),
            "created_at": report.created_at,
        }
        return await self._outbox.insert_one(self._collection, document, [event])

    async def get(self, workspace: str, report_id: str) -> Report | None:
        found = await find_owned(self._collection, report_key(workspace, report_id), workspace)
        return None if found is None else Report.model_validate(found)

    async def exists(self, workspace: str, report_id: str) -> bool:
        return await self.get(workspace, report_id) is not None

    async def list(self, workspace: str, limit: int) -> list[ReportSummary]:
        cursor = self._collection.find(
            {"workspace": workspace}, {"id": 1, "start": 1, "end": 1, "created_at": 1}
        )
        found = [ReportSummary.model_validate(d) for d in await cursor.to_list(None)]
        return sorted(found, key=lambda r: r.start, reverse=True)[:limit]
