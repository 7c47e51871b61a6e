"""The audit log: who changed what, when, and from where (insert-only, read by admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ensemble_identity.models.context import ActorKind
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.storage import Document


class AuditEntry(BaseModel):
    id: str = Field(default_factory=new_id)
    workspace: str | None = Field(description="None for changes to an account itself.")
    at: datetime = Field(default_factory=utcnow)
    actor: str
    actor_kind: ActorKind
    action: str = Field(description="e.g. membership.changed, invitation.created.")
    target: str = Field(description="What changed: an account id, an invitation id, a key id.")
    details: dict[str, Any] = Field(default_factory=dict)
    ip: str
    user_agent: str = ""

    def document(self) -> Document:
        return {"_id": self.id, **self.model_dump(exclude={"id"})}

    @classmethod
    def of(cls, document: Document) -> AuditEntry:
        return cls.model_validate({"id": document["_id"], **document})


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None
