"""Triage's vocabulary (sentiment, priority, kind) and its verdict on one mention.

Value types only: the inbox filters on them and the triage engine produces them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sentiment = Literal["positive", "neutral", "negative"]
Priority = Literal["low", "normal", "high", "urgent"]
MentionKind = Literal["request", "feedback"]

PRIORITY_RANK: dict[Priority, int] = {"low": 0, "normal": 1, "high": 2, "urgent": 3}


class TriageResult(BaseModel):
    """Triage's verdict on one mention."""

    model_config = ConfigDict(frozen=True)

    language: str | None = Field(description="ISO 639-1, or None when the text says too little.")
    sentiment: Sentiment
    sentiment_score: float = Field(ge=-1.0, le=1.0)
    tags: list[str] = Field(description="Sorted, unique.")
    priority: Priority
    team: str | None
    kind: MentionKind | None
    vip: bool
    matched_rules: list[str] = Field(description="Ids of the rules that matched, in rule order.")
