"""Preferences: per person x event type x channel, over workspace defaults; quiet hours.

Resolution: the person's own rules win over the workspace's defaults whenever one of theirs
matches; within a layer the most specific rule wins (an exact event type over a glob, a
longer glob prefix over a shorter one, a named channel over `*`). Nothing matching: on,
immediate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.routing_rules import event_glob, matches
from ensemble_shared.events import utcnow

Cadence = Literal["immediate", "hourly", "daily", "weekly"]
DIGESTS: tuple[Cadence, ...] = ("hourly", "daily", "weekly")
ANY: Literal["*"] = "*"


class PreferenceRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str = Field(default=ANY, description="Event type or glob (approval.*, *).")
    channel: ChannelName | Literal["*"] = Field(default="*", description="A channel, or *.")
    enabled: bool = True
    delivery: Cadence = Field(
        default="immediate",
        description="immediate, or gathered into an hourly/daily/weekly digest.",
    )
    email_if_unread_minutes: int | None = Field(
        default=None,
        ge=1,
        le=7 * 24 * 60,
        description="Email only if the in-app notification is still unread after this long.",
    )

    @field_validator("event")
    @classmethod
    def _event(cls, value: str) -> str:
        return event_glob(value)

    def applies(self, event_type: str, channel: ChannelName) -> bool:
        return matches(self.event, event_type) and self.channel in (ANY, channel)

    def specificity(self) -> tuple[int, int, int]:
        exact = not any(c in self.event for c in "*?[")
        prefix = len(self.event.split("*", 1)[0])
        return (1 if exact else 0, prefix, 0 if self.channel == ANY else 1)


class QuietHours(BaseModel):
    """A daily window in the person's time zone; `end` before `start` wraps past midnight."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time
    end: time
    enabled: bool = Field(default=True, description="False: no quiet hours, whatever the default.")

    @model_validator(mode="after")
    def _window(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours start and end at the same time")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("quiet hours are wall-clock times in the person's time zone")
        return self


class PreferencesPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[PreferenceRule] = Field(default_factory=list, max_length=200)
    quiet_hours: QuietHours | None = Field(
        default=None, description="Unset: the workspace's (people); none (workspace)."
    )


class Preferences(BaseModel):
    """One layer: a workspace's defaults (`person` None) or one person's overrides."""

    workspace: str
    person: str | None = None
    rules: list[PreferenceRule] = Field(default_factory=list)
    quiet_hours: QuietHours | None = None
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    def with_rule(self, rule: PreferenceRule) -> Preferences:
        """This layer with `rule` replacing any rule for the same event and channel."""
        kept = [r for r in self.rules if (r.event, r.channel) != (rule.event, rule.channel)]
        return self.model_copy(update={"rules": [*kept, rule], "version": self.version + 1})


@dataclass(frozen=True)
class Effective:
    enabled: bool = True
    delivery: Cadence = "immediate"
    email_if_unread_minutes: int | None = None
    source: Literal["person", "workspace", "default"] = "default"


def _best(
    rules: list[PreferenceRule], event_type: str, channel: ChannelName
) -> PreferenceRule | None:
    found = [r for r in rules if r.applies(event_type, channel)]
    # The last of equally specific rules wins: later entries are later decisions.
    return max(reversed(found), key=PreferenceRule.specificity) if found else None


def resolve(
    event_type: str,
    channel: ChannelName,
    person: Preferences | None,
    workspace: Preferences | None,
) -> Effective:
    for layer, source in ((person, "person"), (workspace, "workspace")):
        if layer is None:
            continue
        rule = _best(layer.rules, event_type, channel)
        if rule is not None:
            return Effective(
                enabled=rule.enabled,
                delivery=rule.delivery,
                email_if_unread_minutes=rule.email_if_unread_minutes,
                source=source,  # type: ignore[arg-type]
            )
    return Effective()


def quiet_hours_of(person: Preferences | None, workspace: Preferences | None) -> QuietHours | None:
    chosen = person.quiet_hours if person and person.quiet_hours else None
    if chosen is None and workspace is not None:
        chosen = workspace.quiet_hours
    return chosen if chosen is not None and chosen.enabled else None


def wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone`, in UTC. A wall time skipped by a DST jump reads with the
    offset before the jump (zoneinfo's fold=0), which lands it just after the jump."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def quiet_until(at: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime | None:
    """The end (UTC) of the quiet period `at` falls in, or None when `at` is not quiet.

    Computed on wall-clock dates in the person's zone and compared in UTC, so a night that
    crosses a DST change is one hour shorter or longer, as the person lives it.
    """
    if quiet is None:
        return None
    moment = at.astimezone(UTC)
    today = moment.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        start = wall_clock(day, quiet.start, zone)
        end_day = day if quiet.end > quiet.start else day + timedelta(days=1)
        end = wall_clock(end_day, quiet.end, zone)
        if start <= moment < end:
            return end
    return None


class Unsubscribed(BaseModel):
    """What a one-click unsubscribe turned off."""

    event: str
    channel: str
    enabled: bool = False


class UnsubscribeLink(BaseModel):
    """What an unsubscribe link would turn off (read only: the console's page shows it)."""

    workspace: str
    person: str
    event: str = Field(description="An event type, or `*` for every notification.")
    channel: str


PersonalChannel = Literal["email", "in_app", "slack", "teams"]


class ChannelSwitches(BaseModel):
    """From a preferences link: whole channels on or off for every event."""

    model_config = ConfigDict(extra="forbid")

    channels: dict[PersonalChannel, bool] = Field(max_length=4)


class LinkedPreferences(BaseModel):
    """A person's channels as their preferences link shows them."""

    workspace: str
    person: str
    channels: dict[str, bool] = Field(description="email, in_app, slack, teams: on or off.")
