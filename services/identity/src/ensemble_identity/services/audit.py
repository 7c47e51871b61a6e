"""The audit log of every change admins and people make: who, what, when, from where.

Entries are written after the change they record; a crash between the two loses the entry,
never the change (the change's event on the accounts stream is its second record).
"""

from __future__ import annotations

from typing import Any

from ensemble_identity.models.audit import AuditEntry, AuditPage
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.storage import AuditRepository
from ensemble_shared.storage.pagination import next_cursor, parse_cursor


class Audit:
    def __init__(self, entries: AuditRepository) -> None:
        self._entries = entries

    async def record(
        self,
        workspace: str | None,
        actor: Actor,
        origin: Origin,
        action: str,
        target: str,
        **details: Any,
    ) -> None:
        await self._entries.insert(
            AuditEntry(
                workspace=workspace,
                actor=actor.id,
                actor_kind=actor.kind,
                action=action,
                target=target,
                details=details,
                ip=origin.ip,
                user_agent=origin.user_agent[:300],
            )
        )

    async def page(self, workspace: str, cursor: str | None, limit: int) -> AuditPage:
        items = await self._entries.page(workspace, parse_cursor(cursor), limit)
        return AuditPage(items=items, next_cursor=next_cursor(items, limit, lambda e: (e.at, e.id)))
