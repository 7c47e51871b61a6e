"""The engagement score: points per activity kind, one formula for feedback and insights.

Feedback scores a member from their activities; insights scores the members active in a
period from the activities it counted. Both weigh with the workspace's weights, which
feedback announces (`member.engagement_weights_changed`) whenever an admin changes them.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field


class EngagementWeights(BaseModel):
    """Points per activity kind (Orbit-style); a kind left out keeps its default."""

    model_config = ConfigDict(extra="forbid")

    submission: float = Field(default=5, ge=0, le=1000)
    comment: float = Field(default=3, ge=0, le=1000)
    vote: float = Field(default=1, ge=0, le=1000)
    attendance: float = Field(default=8, ge=0, le=1000)
    rsvp: float = Field(default=1, ge=0, le=1000)
    mention: float = Field(default=2, ge=0, le=1000)
    suggestion: float = Field(default=2, ge=0, le=1000)

    def of(self, kind: str) -> float:
        value = getattr(self, kind, 0.0)
        return float(value) if isinstance(value, int | float) else 0.0

    @classmethod
    def announced(cls, weights: Mapping[str, float]) -> EngagementWeights:
        """The weights an event carries; kinds this version does not know are left out (a
        newer producer's addition never breaks an older consumer)."""
        return cls.model_validate({k: v for k, v in weights.items() if k in cls.model_fields})


def engagement(counts: Mapping[str, int], weights: EngagementWeights) -> float:
    """The weighted sum of distinct activities per kind."""
    return float(sum(weights.of(kind) * n for kind, n in counts.items()))
