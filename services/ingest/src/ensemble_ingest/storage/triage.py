"""Each workspace's triage settings (rules, VIP authors): one small document per workspace."""

from __future__ import annotations

from ensemble_ingest.triage.settings import TriageSettings
from ensemble_shared.storage import Collection

COLLECTION = "triage_settings"


class TriageSettingsRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def get(self, workspace: str) -> TriageSettings:
        document = await self.collection.find_one({"_id": workspace})
        if document is None:
            return TriageSettings()
        return TriageSettings.model_validate(document["settings"])

    async def put(self, workspace: str, settings: TriageSettings) -> None:
        await self.collection.replace_one(
            {"_id": workspace},
            {"_id": workspace, "settings": settings.model_dump(mode="json")},
            upsert=True,
        )
