"""Triage per workspace: settings read from the store, compiled once, refreshed after a while."""

from __future__ import annotations

import time

from ensemble_ingest.storage.triage import TriageSettingsRepository
from ensemble_ingest.triage import Triage, TriageSettings
from ensemble_shared.auth import Principal


class TriageProvider:
    """Compiled rules are cached per workspace for `ttl` seconds: a change made through another
    replica applies within that time, one made here at once."""

    def __init__(self, settings: TriageSettingsRepository, *, ttl: float = 15.0) -> None:
        self._settings = settings
        self._ttl = ttl
        self._cache: dict[str, tuple[float, Triage]] = {}

    async def for_workspace(self, workspace: str) -> Triage:
        cached = self._cache.get(workspace)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        triage = Triage(await self._settings.get(workspace))
        self._cache[workspace] = (time.monotonic(), triage)
        return triage

    async def settings(self, principal: Principal) -> TriageSettings:
        return await self._settings.get(principal.workspace)

    async def replace(self, principal: Principal, settings: TriageSettings) -> None:
        await self._settings.put(principal.workspace, settings)
        self._cache[principal.workspace] = (time.monotonic(), Triage(settings))
