"""Answer templates, insert-only by revision: `{workspace}:{status}:{language}:{revision}`; the
highest revision of a (status, language) counts."""

from __future__ import annotations

from ensemble_scheduler.models.answers import AnswerTemplate
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index

TEMPLATES = "answer_templates"


class AnswerTemplateRepository:
    INDEXES = {
        TEMPLATES: [
            Index(
                [
                    ("workspace", ASCENDING),
                    ("status", ASCENDING),
                    ("language", ASCENDING),
                    ("revision", DESCENDING),
                ],
                name="latest",
            )
        ],
    }

    def __init__(self, templates: Collection, outbox: Outbox) -> None:
        self.templates = templates
        self._outbox = outbox

    async def insert_template(self, template: AnswerTemplate) -> bool:
        document = {
            "_id": f"{template.workspace}:{template.status}:{template.language}:"
            f"{template.revision:06d}",
            **template.model_dump(),
        }
        return await self._outbox.insert_one(self.templates, document)

    async def template(self, workspace: str, status: str, language: str) -> AnswerTemplate | None:
        document = await self.templates.find_one(
            {"workspace": workspace, "status": status, "language": language},
            sort=[("revision", DESCENDING)],
        )
        return AnswerTemplate.model_validate(document) if document else None

    async def templates_of(self, workspace: str) -> list[AnswerTemplate]:
        cursor = self.templates.find({"workspace": workspace}).sort("revision", DESCENDING)
        latest: dict[tuple[str, str], AnswerTemplate] = {}
        async for document in cursor:
            key = (document["status"], document["language"])
            latest.setdefault(key, AnswerTemplate.model_validate(document))
        return sorted(latest.values(), key=lambda t: (t.status, t.language))
