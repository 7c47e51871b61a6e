"""Teams of a workspace: their members and who is on call, by shift or by a current field."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ensemble_shared.events import utcnow

PersonId = str


class Shift(BaseModel):
    """One person on call from `starts_at` (inclusive) to `ends_at` (exclusive)."""

    model_config = ConfigDict(extra="forbid")

    person: PersonId = Field(min_length=1, max_length=200)
    starts_at: datetime
    ends_at: datetime

    @model_validator(mode="after")
    def _ordered(self) -> Shift:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("shift times need a UTC offset")
        if self.ends_at <= self.starts_at:
            raise ValueError("a shift ends after it starts")
        return self


class TeamPut(BaseModel):
    """A team as staff describe it; the name is how routing rules and events refer to it."""

    model_config = ConfigDict(extra="forbid")

    members: list[PersonId] = Field(default_factory=list, max_length=500)
    on_call: list[Shift] = Field(
        default_factory=list, max_length=500, description="The rotation, as time ranges."
    )
    on_call_person: PersonId | None = Field(
        default=None,
        max_length=200,
        description="Who is on call when no shift covers the moment (a simple current field).",
    )
    description: str | None = Field(default=None, max_length=500)


class Team(BaseModel):
    name: str
    workspace: str
    members: list[PersonId] = Field(default_factory=list)
    on_call: list[Shift] = Field(default_factory=list)
    on_call_person: PersonId | None = None
    description: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def of(cls, workspace: str, name: str, body: TeamPut) -> Team:
        return cls(name=name, workspace=workspace, **body.model_dump())

    def joined(self, people: list[PersonId]) -> Team:
        """The team with the people identity places in it added to the ones staff listed."""
        return self.model_copy(update={"members": list(dict.fromkeys([*self.members, *people]))})

    def on_call_at(self, at: datetime) -> list[PersonId]:
        """Who answers now: the shifts covering `at`, else the current field, else everyone
        (a spike nobody hears about is worse than one too many people paged)."""
        covering = [s.person for s in self.on_call if s.starts_at <= at < s.ends_at]
        if covering:
            return list(dict.fromkeys(covering))
        if self.on_call_person:
            return [self.on_call_person]
        return list(self.members)
