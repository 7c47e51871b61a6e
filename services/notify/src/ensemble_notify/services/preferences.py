"""Preference layers: workspace defaults (edited by admins) and each person's own.

Each layer is one document replaced under a version guard; a lost race is retried here. How a
notification is judged against the layers (drop, hold, send now) is the attention budget's
business (services/attention.py).
"""

from __future__ import annotations

from collections.abc import Callable

from ensemble_notify.models.preferences import PreferenceRule, Preferences, PreferencesPut
from ensemble_notify.storage.preferences import PreferenceRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import utcnow

_RETRIES = 5


class PreferenceService:
    def __init__(self, preferences: PreferenceRepository) -> None:
        self._preferences = preferences

    async def get(self, workspace: str, person: str | None) -> Preferences:
        found = await self._preferences.get(workspace, person)
        return found or Preferences(workspace=workspace, person=person)

    async def put(self, workspace: str, person: str | None, body: PreferencesPut) -> Preferences:
        """Replace a layer (last write wins for whole-layer edits, retried on a lost race)."""

        def change(current: Preferences) -> Preferences:
            return current.model_copy(
                update={
                    "rules": body.rules,
                    "quiet_hours": body.quiet_hours,
                    "version": current.version + 1,
                    "updated_at": utcnow(),
                }
            )

        return await self._change(workspace, person, change)

    async def set_rule(self, workspace: str, person: str, rule: PreferenceRule) -> Preferences:
        return await self._change(workspace, person, lambda current: current.with_rule(rule))

    async def _change(
        self,
        workspace: str,
        person: str | None,
        change: Callable[[Preferences], Preferences],
    ) -> Preferences:
        for _ in range(_RETRIES):
            current = await self.get(workspace, person)
            changed = change(current)
            if await self._preferences.replace(changed, version=current.version):
                return changed
        raise Conflict("preferences changed meanwhile; read them and retry")
