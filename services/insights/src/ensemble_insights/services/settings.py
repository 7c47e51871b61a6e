"""Workspace settings: read with defaults, replaced whole with a version check.

A new time zone needs nothing here: the projector notices the change and re-derives the
workspace's daily rollups from the quarter-hours (no rebuild); reads use the new zone once
that is done.
"""

from __future__ import annotations

from ensemble_insights.models.settings import SettingsPut, WorkspaceSettings
from ensemble_insights.storage.settings import SettingsRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import utcnow


class SettingsService:
    def __init__(self, repository: SettingsRepository) -> None:
        self._repository = repository

    async def get(self, workspace: str) -> WorkspaceSettings:
        return await self._repository.get(workspace) or WorkspaceSettings.default(workspace)

    async def put(self, workspace: str, body: SettingsPut) -> WorkspaceSettings:
        current = await self._repository.get(workspace)
        version = current.version if current else 0
        settings = WorkspaceSettings(
            **body.model_dump(), workspace=workspace, version=version + 1, updated_at=utcnow()
        )
        if not await self._repository.replace(settings, version=version):
            raise Conflict("the settings changed meanwhile; read them and retry")
        return settings
