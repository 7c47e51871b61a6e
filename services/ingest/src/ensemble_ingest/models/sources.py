"""Configured sources: one connection of a workspace to a platform."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ensemble_shared.events import new_id, utcnow


class SourceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    platform: Literal["generic"] = "generic"


class Source(BaseModel):
    id: str = Field(default_factory=new_id)
    workspace: str
    name: str
    platform: Literal["generic"]
    secrets: list[str] = Field(description="Signing secrets; more than one during a rotation.")
    created_at: datetime = Field(default_factory=utcnow)


class SourceOut(BaseModel):
    id: str
    name: str
    platform: str
    created_at: datetime
    webhook_path: str

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        return cls(
            id=source.id,
            name=source.name,
            platform=source.platform,
            created_at=source.created_at,
            webhook_path=f"/webhooks/{source.platform}/{source.id}",
        )


class SourceCreated(SourceOut):
    secret: str = Field(description="Shown once: sign webhooks with it (Standard Webhooks).")
