"""Answer templates: the pre-approved reply a workspace sends when an idea from a mention moves."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.events.submissions import SubmissionStatus

Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]


class AnswerTemplateIn(BaseModel):
    """PUT /answer-templates/{status}/{language}: a pre-approved reply text. Placeholders:
    {title}, {status}, {reason}, {author} (the original poster's handle)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str = Field(min_length=1, max_length=2_000)
    channel: str | None = Field(
        default=None, max_length=64, description="Channel to answer on (default: the platform)."
    )


class AnswerTemplate(AnswerTemplateIn):
    model_config = ConfigDict(extra="ignore", frozen=True)

    workspace: str
    status: SubmissionStatus
    language: Language
    revision: int
    updated_by: str
    updated_at: datetime
