"""The topic catalogue: a topic per stream, keyed by aggregate id, each with dead letters.

Retention. The event streams are the system's history: insights rebuilds every figure from
them (`python -m ensemble_insights.cli rebuild` reads each stream from its earliest offset), so
they are created with time and size retention off (`retention.ms=-1`, `retention.bytes=-1`)
and `cleanup.policy=delete` — delete, never compact: compaction keeps only the latest record of
each key, and a key here is an aggregate id (a mention, a content item), so a compacted stream
would keep a mention's last status change and forget its arrival, triage and assignment; a
rebuild would then count nothing right. Compaction suits state snapshots keyed by id, which
these streams are not. The cost is disk: every event is kept (about 1 KB a mention, twice),
which Kafka's tiered storage (KIP-405) moves to object storage on a real cluster.

Two kinds of topics keep less: the `schedules` stream (job runs: digest and re-drive requests,
which no figure is made of) keeps 14 days, and dead-letter topics keep 30 days — long enough
to look at and re-drive a parked event, short enough not to keep poison forever.

These configs are applied when a topic is created. An operator whose topics predate them sets
them once with Kafka's own tool, for example:

    kafka-configs.sh --bootstrap-server HOST:9092 --alter --entity-type topics \
        --entity-name ensemble.mentions --add-config retention.ms=-1,retention.bytes=-1

for each event topic (`GET /insights/admin/status` on insights lists the topics whose retention
would lose history).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from pydantic import Field

from ensemble_shared.events import (
    AccountRegisteredV1,
    AccountUpdatedV1,
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    ContentPublishedV1,
    Event,
    EventCheckedInV1,
    EventFollowupInvitedV1,
    EventRsvpV1,
    MemberErasedV1,
    MemberMergedV1,
    MemberRegisteredV1,
    MembershipChangedV1,
    MembershipRemovedV1,
    MemberUnmergedV1,
    MemberUpdatedV1,
    MentionAssignedV1,
    MentionDeletedV1,
    MentionNoteAddedV1,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionStatusChangedV1,
    MentionTriagedV1,
    MentionUpdatedV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionCommentedV1,
    SubmissionCreatedV1,
    SubmissionMergedV1,
    SubmissionStatusChangedV1,
    SubmissionVotedV1,
    SuggestionCreatedV1,
)
from ensemble_shared.events.approvals import (
    ApprovalChangesRequestedV1,
    ApprovalCompletedV1,
    ApprovalEscalatedV1,
    ApprovalExpiredV1,
    ApprovalRejectedV1,
    ApprovalReminderDueV1,
    ApprovalStepOpenedV1,
)
from ensemble_shared.events.content import (
    ContentCommentedV1,
    ContentDraftedV1,
    ContentEditedV1,
    ContentPublishFailedV1,
    ContentRescheduledV1,
    ContentScheduledV1,
    ScheduleHeldV1,
    ScheduleReleasedV1,
)
from ensemble_shared.events.insights import ReportPublishedV1
from ensemble_shared.events.members import EngagementWeightsChangedV1
from ensemble_shared.events.notifications import NotificationReadV1, NotificationUnsubscribedV1
from ensemble_shared.events.schedules import DigestRequestedV1, IngestRedriveRequestedV1

log = logging.getLogger(__name__)

DEAD_LETTER_SUFFIX = ".dlt"
DAY_MS = 24 * 60 * 60 * 1000

HISTORY: dict[str, str] = {
    "cleanup.policy": "delete",
    "retention.ms": "-1",
    "retention.bytes": "-1",
}
"""Kept forever: the history insights (and any future reader) rebuilds from."""

OPERATIONAL: dict[str, str] = {"cleanup.policy": "delete", "retention.ms": str(14 * DAY_MS)}
"""Kept two weeks: requests to act now, of no use once acted upon."""

DEAD_LETTERS: dict[str, str] = {"cleanup.policy": "delete", "retention.ms": str(30 * DAY_MS)}
"""Kept a month: long enough to inspect and re-drive a parked event."""


@dataclass(frozen=True)
class Stream:
    """A stream of events about one kind of aggregate; its key is that aggregate's id."""

    name: str
    key: str
    events: tuple[type[Event], ...]
    partitions: int = 6
    config: Mapping[str, str] = field(
        default_factory=lambda: dict(HISTORY), compare=False, hash=False
    )

    @property
    def payload_type(self) -> Any:
        """The stream's event union, for AsyncAPI documents and typed parsing."""
        if len(self.events) == 1:
            return self.events[0]
        return Annotated[Union[self.events], Field(discriminator="type")]  # noqa: UP007


MENTIONS = Stream(
    "mentions",
    key="mention id (spikes: workspace:topic)",
    events=(
        MentionReceivedV1,
        MentionTriagedV1,
        MentionUpdatedV1,
        MentionDeletedV1,
        MentionAssignedV1,
        MentionStatusChangedV1,
        MentionNoteAddedV1,
        MentionSpikeDetectedV1,
    ),
)
SUBMISSIONS = Stream(
    "submissions",
    key="submission id (suggestions: suggestion id)",
    events=(
        SubmissionCreatedV1,
        SubmissionVotedV1,
        SubmissionCommentedV1,
        SubmissionStatusChangedV1,
        SubmissionMergedV1,
        SuggestionCreatedV1,
    ),
)
MEMBERS = Stream(
    "members",
    key="member id (merges: the survivor's id; engagement weights: the workspace)",
    events=(
        MemberRegisteredV1,
        MemberUpdatedV1,
        MemberMergedV1,
        MemberUnmergedV1,
        MemberErasedV1,
        EngagementWeightsChangedV1,
    ),
)
FIELD_EVENTS = Stream(
    "field_events",
    key="field event id",
    events=(EventRsvpV1, EventCheckedInV1, EventFollowupInvitedV1),
)
APPROVALS = Stream(
    "approvals",
    key="content item id",
    events=(
        ApprovalRequestedV1,
        ApprovalStepOpenedV1,
        ApprovalStepDecidedV1,
        ApprovalChangesRequestedV1,
        ApprovalCompletedV1,
        ApprovalRejectedV1,
        ApprovalReminderDueV1,
        ApprovalEscalatedV1,
        ApprovalExpiredV1,
    ),
)
CONTENT = Stream(
    "content",
    key="content item id",
    events=(
        ContentDraftedV1,
        ContentEditedV1,
        ContentCommentedV1,
        ContentPublishedV1,
        ContentScheduledV1,
        ContentRescheduledV1,
        ContentPublishFailedV1,
        ScheduleHeldV1,
        ScheduleReleasedV1,
    ),
)
SCHEDULES = Stream(
    "schedules",
    key="workspace:job name",
    events=(DigestRequestedV1, IngestRedriveRequestedV1),
    config=OPERATIONAL,
)
NOTIFICATIONS = Stream(
    "notifications",
    key="delivery id (unsubscribes: workspace/person)",
    events=(
        NotificationSentV1,
        NotificationFailedV1,
        NotificationReadV1,
        NotificationUnsubscribedV1,
    ),
)
ACCOUNTS = Stream(
    "accounts",
    key="account id",
    events=(AccountRegisteredV1, AccountUpdatedV1, MembershipChangedV1, MembershipRemovedV1),
)

INSIGHTS = Stream(
    "insights",
    key="workspace",
    events=(ReportPublishedV1,),
    partitions=3,
)

STREAMS: tuple[Stream, ...] = (
    MENTIONS,
    SUBMISSIONS,
    MEMBERS,
    FIELD_EVENTS,
    APPROVALS,
    CONTENT,
    SCHEDULES,
    NOTIFICATIONS,
    ACCOUNTS,
    INSIGHTS,
)

_STREAM_OF_TYPE = {event.model_fields["type"].default: s for s in STREAMS for event in s.events}


def stream_of(event: Event) -> Stream:
    """The stream an event belongs to; every event type is declared in exactly one stream."""
    try:
        return _STREAM_OF_TYPE[event.type]
    except KeyError:
        raise LookupError(f"event type {event.type!r} is in no stream") from None


@dataclass(frozen=True)
class Topics:
    """Resolves stream names to topic names under a prefix (tests use a fresh prefix each)."""

    prefix: str = "ensemble."

    def topic(self, stream: Stream) -> str:
        return f"{self.prefix}{stream.name}"

    def dead_letter(self, stream: Stream) -> str:
        return f"{self.topic(stream)}{DEAD_LETTER_SUFFIX}"

    def for_event(self, event: Event) -> str:
        return self.topic(stream_of(event))

    def all_topics(self, streams: Iterable[Stream] = STREAMS) -> list[tuple[str, int]]:
        """(name, partitions) of every topic to create: each stream and its dead letters."""
        topics: list[tuple[str, int]] = []
        for stream in streams:
            topics.append((self.topic(stream), stream.partitions))
            topics.append((self.dead_letter(stream), 1))
        return topics

    def configs(self, streams: Iterable[Stream] = STREAMS) -> dict[str, dict[str, str]]:
        """Topic-level configs by topic name: each stream's retention, and the dead letters'."""
        found: dict[str, dict[str, str]] = {}
        for stream in streams:
            found[self.topic(stream)] = dict(stream.config)
            found[self.dead_letter(stream)] = dict(DEAD_LETTERS)
        return found


async def ensure_topics(
    bootstrap_servers: str, topics: Topics, *, replication_factor: int = 1
) -> list[str]:
    """Create the catalogue's topics that do not exist yet; returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        configs = topics.configs()
        missing = [
            NewTopic(
                name=name,
                num_partitions=partitions,
                replication_factor=replication_factor,
                topic_configs=configs.get(name, {}),
            )
            for name, partitions in topics.all_topics()
            if name not in existing
        ]
        if not missing:
            return []
        try:
            await admin.create_topics(missing)
        except TopicAlreadyExistsError:
            log.info("topics created concurrently by another service")
        return [t.name for t in missing]
    finally:
        await admin.close()
