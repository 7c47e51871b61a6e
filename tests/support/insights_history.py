"""A known event history for insights' exactness tests, and its figures counted independently.

`history()` builds real events of every stream over twelve days around a DST change, with a
seeded random mix: mentions (first triage, re-triage, edits, deletions, notes, assignments,
replies, closings), spikes, approvals, content, submissions and votes, members, field
events, engagement weights (changed twice), notifications and staff unsubscribes.
`deliveries()` repeats some events (same id) and interleaves the
entities, keeping each key's own order, the way partitions deliver them. `Expected` counts
the figures straight from the events, with none of insights' code.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ensemble_shared.events import (
    ApprovalRequestData,
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    Author,
    CheckInData,
    ContentPublishedData,
    ContentPublishedV1,
    ContentPublishFailedV1,
    ContentRescheduledV1,
    ContentScheduledV1,
    DeliveryData,
    Event,
    EventCheckedInV1,
    EventRsvpV1,
    MemberData,
    MemberRegisteredV1,
    MemberUpdatedV1,
    MentionAssignedData,
    MentionAssignedV1,
    MentionData,
    MentionReceivedV1,
    MentionStatusChangedData,
    MentionStatusChangedV1,
    MentionTriagedData,
    MentionTriagedV1,
    NotificationFailedV1,
    NotificationSentV1,
    PublishFailureData,
    RsvpData,
    ScheduleData,
    StepDecisionData,
    SubmissionCreatedV1,
    SubmissionData,
    SubmissionStatusChangedData,
    SubmissionStatusChangedV1,
    SubmissionVotedData,
    SubmissionVotedV1,
    TriageData,
)
from ensemble_shared.events.approvals import (
    ApprovalCompletedV1,
    ApprovalOutcomeData,
    ApprovalStepOpenedV1,
    StepOpenedData,
)
from ensemble_shared.events.members import EngagementWeightsChangedV1, EngagementWeightsData
from ensemble_shared.events.notifications import (
    NotificationReadData,
    NotificationReadV1,
    NotificationUnsubscribedV1,
    UnsubscribedData,
)

START = datetime(2026, 10, 20, 6, tzinfo=UTC)
DAYS = 12
ZONE = "Europe/Paris"
SLA = {"urgent": 3600, "high": 4 * 3600, "normal": 24 * 3600, "low": 72 * 3600}
PEOPLE = ("ana", "bob")
STATUSES = ("under_review", "planned", "in_progress", "done")


def _src(event_type: str) -> str:
    return {
        "mention": "ensemble/ingest",
        "submission": "ensemble/feedback",
        "member": "ensemble/feedback",
        "event": "ensemble/feedback",
        "approval": "ensemble/scheduler",
        "content": "ensemble/scheduler",
        "notification": "ensemble/notify",
    }[event_type.split(".", 1)[0]]


@dataclass
class Builder:
    workspace: str
    rng: random.Random
    events: list[Event] = field(default_factory=list)

    def at(self, offset_hours: float) -> datetime:
        return START + timedelta(hours=offset_hours)

    def add(
        self, cls: type[Event], moment: datetime, subject: str, data: Any, **extra: Any
    ) -> Event:
        event_type = cls.model_fields["type"].default
        event = cls(
            source=_src(event_type),
            subject=subject,
            workspace=self.workspace,
            time=moment,
            data=data,
            **extra,
        )
        self.events.append(event)
        return event


def _mentions(b: Builder, count: int) -> None:
    for n in range(count):
        t = b.at(b.rng.uniform(0, DAYS * 24 - 40))
        mid = f"m{n}"
        data = MentionData(
            mention_id=mid,
            platform=b.rng.choice(("mastodon", "x", "reddit")),
            external_id=str(n),
            author=Author(id=f"a{n % 9}", handle=f"user{n % 9}"),
            text="hello",
            created_at=t - timedelta(minutes=b.rng.randint(0, 120)),
        )
        received = b.add(MentionReceivedV1, t, mid, data)
        triage = TriageData(
            language=b.rng.choice(("en", "fr")),
            sentiment=b.rng.choice(("positive", "neutral", "negative")),
            tags=tuple(b.rng.sample(("brand_a", "brand_b", "bug"), b.rng.randint(0, 2))),
            priority=b.rng.choice(("low", "normal", "high", "urgent")),
            team=b.rng.choice(("support", None)),
            vip=n % 7 == 0,
        )
        b.add(
            MentionTriagedV1,
            t + timedelta(seconds=1),
            mid,
            MentionTriagedData(mention=data, triage=triage),
            causation_id=received.id,
        )
        if b.rng.random() < 0.1:  # a re-triage after an edit
            again = triage.model_copy(update={"sentiment": "negative"})
            b.add(
                MentionTriagedV1,
                t + timedelta(hours=2),
                mid,
                MentionTriagedData(mention=data, triage=again),
            )
        if b.rng.random() < 0.5:
            for k in range(b.rng.randint(1, 2)):
                when = t + timedelta(minutes=b.rng.randint(3, 400) + 600 * k)
                who = b.rng.choice(PEOPLE)
                b.add(
                    MentionAssignedV1,
                    when,
                    mid,
                    MentionAssignedData(mention_id=mid, assignee=who, by="lead"),
                )
        if b.rng.random() < 0.6:
            when = t + timedelta(minutes=b.rng.randint(10, 36 * 60))
            who = b.rng.choice(PEOPLE)
            data_r = MentionStatusChangedData(
                mention_id=mid, status="replied", previous="assigned", by=who
            )
            b.add(MentionStatusChangedV1, when, mid, data_r)
            if b.rng.random() < 0.5:
                data_c = MentionStatusChangedData(
                    mention_id=mid, status="closed", previous="replied", by=who
                )
                b.add(MentionStatusChangedV1, when + timedelta(hours=1), mid, data_c)


def _approvals(b: Builder, count: int) -> None:
    for n in range(count):
        t = b.at(b.rng.uniform(0, DAYS * 24 - 30))
        aid, cid = f"ap{n}", f"c{n}"
        policy = b.rng.choice(("standard", "legal"))
        req = ApprovalRequestData(
            approval_id=aid,
            content_id=cid,
            policy=policy,
            steps=("comms",),
            kind="post",
            channel="mastodon",
        )
        b.add(ApprovalRequestedV1, t, cid, req)
        opened = t + timedelta(minutes=1)
        b.add(
            ApprovalStepOpenedV1,
            opened,
            cid,
            StepOpenedData(
                approval_id=aid,
                content_id=cid,
                step="comms",
                round=0,
                position=0,
                version=1,
                quorum="any",
            ),
        )
        decided = opened + timedelta(minutes=b.rng.randint(5, 900))
        decision = "approve" if n % 4 else "reject"
        # Lea decides every step; Max too on every third (a quorum of both): each counts for
        # the decider, the first decision for the step.
        deciders = [("lea", decided)]
        if n % 3 == 1:
            deciders.append(("max", decided - timedelta(minutes=b.rng.randint(1, 4))))
        for who, when in deciders:
            b.add(
                ApprovalStepDecidedV1,
                when,
                cid,
                StepDecisionData(
                    approval_id=aid,
                    content_id=cid,
                    step="comms",
                    decision=decision,
                    decided_by=who,
                    round=0,
                ),
            )
        if decision == "approve":
            b.add(
                ApprovalCompletedV1,
                decided + timedelta(seconds=2),
                cid,
                ApprovalOutcomeData(approval_id=aid, content_id=cid, version=1),
            )
        slot = t + timedelta(hours=b.rng.randint(2, 20))
        b.add(
            ContentScheduledV1,
            t + timedelta(seconds=5),
            cid,
            ScheduleData(content_id=cid, channel="mastodon", slot_at=slot, sequence=1, by="alice"),
        )
        if n % 3 == 0:
            slot = slot + timedelta(hours=3)
            by = "system:deadlines" if n % 2 else "alice"
            b.add(
                ContentRescheduledV1,
                t + timedelta(minutes=30),
                cid,
                ScheduleData(content_id=cid, channel="mastodon", slot_at=slot, sequence=2, by=by),
            )
        if n % 5 == 4:
            b.add(
                ContentPublishFailedV1,
                slot,
                cid,
                PublishFailureData(content_id=cid, channel="mastodon", code="refused", reason="no"),
            )
        elif decision == "approve":
            late = timedelta(minutes=b.rng.choice((0, 1, 20, 90)))
            b.add(
                ContentPublishedV1,
                slot + late,
                cid,
                ContentPublishedData(
                    content_id=cid,
                    channel="mastodon",
                    platform_post_id=f"p{n}",
                    platform="mastodon",
                ),
            )


def _community(b: Builder, members: int, submissions: int) -> None:
    for n in range(members):
        t = b.at(b.rng.uniform(0, 24))
        data = MemberData(
            member_id=f"mb{n}",
            display_name=f"M{n}",
            language=b.rng.choice(("en", "fr")),
            consents=("ideas_followed", "events"),
        )
        b.add(MemberRegisteredV1, t, f"mb{n}", data)
        if n % 4 == 0:
            b.add(
                MemberUpdatedV1,
                t + timedelta(days=2),
                f"mb{n}",
                data.model_copy(update={"consents": ("events",)}),
            )
    for n in range(submissions):
        t = b.at(b.rng.uniform(24, DAYS * 24 - 60))
        sid, author = f"s{n}", f"mb{b.rng.randrange(members)}"
        tags = ("event:ev1",) if n % 5 == 0 else ("ux",) if n % 3 == 0 else ()
        created = SubmissionData(
            submission_id=sid,
            kind=b.rng.choice(("idea", "feedback")),
            title="t",
            author_member_id=author,
            tags=tags,
        )
        b.add(SubmissionCreatedV1, t, sid, created)
        for k in range(b.rng.randint(0, 4)):
            voter = f"mb{b.rng.randrange(members)}"
            votes = k + 1
            b.add(
                SubmissionVotedV1,
                t + timedelta(hours=k + 1),
                sid,
                SubmissionVotedData(
                    submission_id=sid, member_id=voter, action="voted", votes=votes
                ),
            )
        previous, when = "open", t
        for status in STATUSES[: b.rng.randint(0, 4)]:
            when = when + timedelta(hours=b.rng.randint(1, 30))
            change = SubmissionStatusChangedData(
                submission_id=sid,
                kind=created.kind,
                title="t",
                author_member_id=author,
                previous=previous,
                status=status,
                by="lead",
            )
            b.add(SubmissionStatusChangedV1, when, sid, change)
            previous = status
    for n in range(members):
        t = b.at(24 * 5 + n)
        status = "confirmed" if n % 4 else "waitlisted"
        b.add(
            EventRsvpV1,
            t,
            "ev1",
            RsvpData(
                event_id="ev1",
                title="Meetup",
                starts_at=b.at(24 * 8),
                member_id=f"mb{n}",
                status=status,
            ),
        )
        if status == "confirmed" and n % 3 == 0:
            b.add(
                EventCheckedInV1,
                b.at(24 * 8 + 0.5),
                "ev1",
                CheckInData(event_id="ev1", title="Meetup", member_id=f"mb{n}"),
            )


NOTIFIED = (
    "mention.received.v1",
    "mention.assigned.v1",
    "approval.step_opened.v1",
    "submission.status_changed.v1",
    "event.rsvp.v1",
)
"""Types of the history's events that deliveries name as their source."""


def _notifications(b: Builder, count: int) -> None:
    """Deliveries of the history's own events, a few seconds to hours after them (some
    events to two recipients), plus digests (no event of the history behind them) and
    replays, which are not timed."""
    sources = [e for e in b.events if e.type in NOTIFIED]
    source = sources[0]
    for n in range(count):
        channel = b.rng.choice(("webhook", "email", "in_app", "chat"))
        failed = channel != "in_app" and n % 6 == 0
        if n % 5 != 1:  # else the previous delivery's event again, to another recipient
            source = b.rng.choice(sources)
        of, of_type = source.id, source.type
        t = source.time + timedelta(seconds=b.rng.randint(1, 3 * 3600))
        if n % 10 == 9:
            of, of_type = f"digest{n}", "notification.digest.v1"
        data = DeliveryData(
            delivery_id=f"d{n}",
            channel=channel,
            recipient="r",
            source_event_id=of,
            source_event_type=of_type,
            attempts=3 if failed else 1,
            status_code=500 if failed else 200,
            chat="slack" if channel == "chat" else None,
            replay_of=f"d{n - 1}" if n % 8 == 7 else None,
        )
        b.add(NotificationFailedV1 if failed else NotificationSentV1, t, f"d{n}", data)
        if channel == "in_app" and n % 2 == 0:
            read_at = t + timedelta(minutes=b.rng.randint(1, 600))
            b.add(
                NotificationReadV1,
                read_at,
                f"d{n}",
                NotificationReadData(
                    notification_id=f"d{n}",
                    person="ana",
                    source_event_id=of,
                    source_event_type=of_type,
                    read_at=read_at,
                ),
            )


WEIGHTS = ({"vote": 4.0, "submission": 2.0}, {"vote": 0.5, "attendance": 20.0, "mention": 9.0})
"""Two changes of the engagement weights: the second, later, is the one that counts."""
UNSUBSCRIBES = (
    ("email", "approval.*", "link"),
    ("email", "*", "preferences_link"),
    ("in_app", "mention.assigned.v1", "preferences"),
    ("slack", "approval.step_opened.v1", "link"),
    ("email", "approval.*", "link"),
)


def _staff_preferences(b: Builder) -> None:
    """The engagement weights an admin sets (whole: defaults for the kinds left out), and
    preferences staff turn off, each its own event (notify announces one per preference)."""
    defaults = {"submission": 5.0, "comment": 3.0, "vote": 1.0, "attendance": 8.0, "rsvp": 1.0}
    for n, changed in enumerate(WEIGHTS):
        weights = {**defaults, "mention": 2.0, "suggestion": 2.0, **changed}
        data = EngagementWeightsData(weights=weights, by="lead")
        b.add(EngagementWeightsChangedV1, b.at(30 + 100 * n), b.workspace, data)
    for n, (channel, event, via) in enumerate(UNSUBSCRIBES):
        person = PEOPLE[n % 2]
        off = UnsubscribedData(person=person, event=event, channel=channel, via=via)
        b.add(NotificationUnsubscribedV1, b.at(10 + 37 * n), f"{b.workspace}/{person}", off)


def history(workspace: str = "acme", *, seed: int = 7, scale: int = 1) -> list[Event]:
    b = Builder(workspace, random.Random(seed))
    _mentions(b, 60 * scale)
    _approvals(b, 10 * scale)
    _community(b, 16 * scale, 20 * scale)
    _notifications(b, 40 * scale)
    _staff_preferences(b)
    return b.events


def deliveries(events: list[Event], *, seed: int = 3, repeat_every: int = 7) -> list[Event]:
    """Every event at least once, some twice; keys interleaved, each key's order kept."""
    rng = random.Random(seed)
    queues: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.time):
        queues[event.subject].append(event)
    for n, event in enumerate(events):
        if n % repeat_every == 0:
            queues[event.subject].append(event)  # a redelivery, later in its key's order
    out: list[Event] = []
    keys = list(queues)
    while keys:
        key = rng.choice(keys)
        out.append(queues[key].pop(0))
        if not queues[key]:
            keys.remove(key)
    return out


def local_day(moment: datetime, zone: str = ZONE) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def period_days(zone: str = ZONE) -> tuple[date, date]:
    return local_day(START, zone) - timedelta(days=1), local_day(
        START + timedelta(days=DAYS + 2), zone
    )


@dataclass
class Expected:
    """Figures counted from the events alone (no insights code)."""

    counts: Counter[str] = field(default_factory=Counter)
    daily: dict[str, Counter[date]] = field(default_factory=lambda: defaultdict(Counter))
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    now: Counter[str] = field(default_factory=Counter)
    active: set[str] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=dict)
    """Each active member's engagement score over the history, with the last weights."""
    crossed: Counter[str] = field(default_factory=Counter)
    """Totals of a pair of dimensions (a filter and a breakdown), over the whole history."""
    crossed_durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    def count(self, name: str, moment: datetime, zone: str, amount: int = 1) -> None:
        self.counts[name] += amount
        self.daily[name][local_day(moment, zone)] += amount


def expected(events: list[Event], zone: str = ZONE) -> Expected:
    ex = Expected()
    by_type: dict[str, list[Any]] = defaultdict(list)
    for event in events:
        by_type[event.type].append(event)
    _expect_mentions(ex, by_type, zone)
    _expect_approvals(ex, by_type, zone)
    _expect_community(ex, by_type, zone)
    _expect_notifications(ex, by_type, zone)
    return ex


def _expect_mentions(ex: Expected, by_type: dict[str, list[Any]], zone: str) -> None:
    arrived: dict[str, datetime] = {
        e.data.mention_id: e.time for e in by_type["mention.received.v1"]
    }
    priority: dict[str, str] = {}
    for e in by_type["mention.triaged.v1"]:
        if e.causation_id is None:
            ex.count("mentions_retriaged", e.time, zone)
            continue
        posted = min(e.data.mention.created_at, e.time)
        triage = e.data.triage
        priority[e.data.mention.mention_id] = triage.priority
        ex.count("mentions", posted, zone)
        ex.count(f"mentions|sentiment={triage.sentiment}", posted, zone)
        ex.count(f"mentions|platform={e.data.mention.platform}", posted, zone)
        for tag in triage.tags:
            ex.count(f"mentions|tag={tag}", posted, zone)
        if triage.vip:
            ex.count("mentions|vip=vip", posted, zone)
    for moment in arrived.values():
        ex.count("inbox_received", moment, zone)
    first_assigned: dict[str, tuple[datetime, str]] = {}
    for e in by_type["mention.assigned.v1"]:
        found = first_assigned.get(e.data.mention_id)
        if found is None or e.time < found[0]:
            first_assigned[e.data.mention_id] = (e.time, e.data.assignee)
    for mention, (moment, who) in first_assigned.items():
        ex.count("inbox_assigned", moment, zone)
        ex.count(f"inbox_assigned|person={who}", moment, zone)
        ex.durations["assign_time"].append((moment - arrived[mention]).total_seconds())
    firsts: dict[tuple[str, str], tuple[datetime, str]] = {}
    for e in by_type["mention.status_changed.v1"]:
        k = (e.data.mention_id, e.data.status)
        if k not in firsts or e.time < firsts[k][0]:
            firsts[k] = (e.time, e.data.by)
    for (mention, status), (moment, who) in firsts.items():
        name = "inbox_replied" if status == "replied" else "inbox_closed"
        ex.count(name, moment, zone)
        ex.count(f"{name}|person={who}", moment, zone)
        if status == "replied":
            took = (moment - arrived[mention]).total_seconds()
            ex.durations["reply_time"].append(took)
            ex.durations[f"reply_time|person={who}"].append(took)
            if took > SLA[priority[mention]]:
                ex.count("sla_breaches", moment, zone)


def _expect_approvals(ex: Expected, by_type: dict[str, list[Any]], zone: str) -> None:
    requested = {e.data.approval_id: e for e in by_type["approval.requested.v1"]}
    opened = {e.data.approval_id: e.time for e in by_type["approval.step_opened.v1"]}
    for e in requested.values():
        ex.count("approvals_requested", e.time, zone)
        ex.count(f"approvals_requested|policy={e.data.policy}", e.time, zone)
    for e in by_type["approval.completed.v1"]:
        ex.count("approvals_completed", e.time, zone)
        ex.durations["approval_cycle"].append(
            (e.time - requested[e.data.approval_id].time).total_seconds()
        )
    first: dict[str, datetime] = {}
    for e in by_type["approval.step_decided.v1"]:
        who, decision = e.data.decided_by, e.data.decision
        ex.count("step_decisions", e.time, zone)
        ex.count(f"step_decisions|decision={decision}", e.time, zone)
        ex.count(f"step_decisions|person={who}", e.time, zone)
        ex.crossed[f"step_decisions|decision={decision}|person={who}"] += 1
        took = (e.time - opened[e.data.approval_id]).total_seconds()
        ex.durations["decision_time"].append(took)
        ex.durations[f"decision_time|person={who}"].append(took)
        aid = e.data.approval_id
        first[aid] = min(first.get(aid, e.time), e.time)
    for aid, when in first.items():
        ex.durations["step_time"].append((when - opened[aid]).total_seconds())
    slots: dict[str, datetime] = {}
    for e in sorted(
        by_type["content.scheduled.v1"] + by_type["content.rescheduled.v1"],
        key=lambda e: e.data.sequence,
    ):
        slots[e.data.content_id] = e.data.slot_at
    for e in by_type["content.rescheduled.v1"]:
        cause = "late_approval" if e.data.by == "system:deadlines" else "manual"
        ex.count(f"rescheduled|cause={cause}", e.time, zone)
    for e in by_type["content.published.v1"]:
        slot = slots[e.data.content_id]
        timing = "on_time" if e.time <= slot + timedelta(seconds=300) else "late"
        ex.count("published", e.time, zone)
        ex.count(f"published|timing={timing}", e.time, zone)
        ex.durations["publish_delay"].append(max((e.time - slot).total_seconds(), 0))
    for e in by_type["content.publish_failed.v1"]:
        ex.count("publish_failed", e.time, zone)


def _expect_community(ex: Expected, by_type: dict[str, list[Any]], zone: str) -> None:
    first_active: dict[str, datetime] = {}
    done: dict[str, Counter[str]] = defaultdict(Counter)

    def active(member: str, moment: datetime, kind: str) -> None:
        done[member][kind] += 1
        ex.active.add(member)
        if member not in first_active or moment < first_active[member]:
            first_active[member] = moment

    for e in by_type["member.registered.v1"]:
        ex.count("members_registered", e.time, zone)
    consents = {e.data.member_id: set(e.data.consents) for e in by_type["member.registered.v1"]}
    for e in sorted(by_type["member.updated.v1"], key=lambda e: e.time):
        for topic in consents[e.data.member_id] - set(e.data.consents):
            ex.count(f"unsubscribes|topic={topic}", e.time, zone)
        consents[e.data.member_id] = set(e.data.consents)
    created = {}
    for e in by_type["submission.created.v1"]:
        created[e.data.submission_id] = e
        ex.count("submissions", e.time, zone)
        ex.count(f"submissions|kind={e.data.kind}", e.time, zone)
        active(e.data.author_member_id, e.time, "submission")
    for e in by_type["submission.voted.v1"]:
        ex.count("votes|action=voted", e.time, zone)
        active(e.data.member_id, e.time, "vote")
    status_now: dict[str, str] = {sid: "open" for sid in created}
    entered: dict[str, datetime] = {sid: e.time for sid, e in created.items()}
    for e in sorted(by_type["submission.status_changed.v1"], key=lambda e: e.time):
        sid = e.data.submission_id
        ex.count(f"status_changes|status={e.data.status}", e.time, zone)
        ex.durations[f"time_in_status|status={e.data.previous}"].append(
            (e.time - entered[sid]).total_seconds()
        )
        entered[sid], status_now[sid] = e.time, e.data.status
    for status in status_now.values():
        ex.now[f"ideas_now|status={status}"] += 1
    ex.now["event_ideas_now|event=ev1"] = sum(
        1 for e in created.values() if "event:ev1" in e.data.tags
    )
    seats: dict[str, str] = {}
    for e in by_type["event.rsvp.v1"]:
        ex.count(f"rsvps|status={e.data.status}", e.time, zone)
        seats[e.data.member_id] = e.data.status
        active(e.data.member_id, e.time, "rsvp")
    for status in seats.values():
        ex.now[f"roster_now|event=ev1|status={status}"] += 1
    for e in by_type["event.checked_in.v1"]:
        ex.count("checkins", e.time, zone)
        ex.now["checkins_now|event=ev1"] += 1
        active(e.data.member_id, e.time, "attendance")
    for moment in first_active.values():
        ex.count("members_first_active", moment, zone)
    changes = sorted(by_type["member.engagement_weights_changed.v1"], key=lambda e: e.time)
    weights = changes[-1].data.weights if changes else {}
    ex.scores = {
        member: sum(weights.get(kind, 0.0) * n for kind, n in kinds.items())
        for member, kinds in done.items()
    }


def _expect_notifications(ex: Expected, by_type: dict[str, list[Any]], zone: str) -> None:
    sent: dict[str, datetime] = {}
    happened = {e.id: e.time for events in by_type.values() for e in events}
    for outcome, events in (
        ("sent", by_type["notification.sent.v1"]),
        ("failed", by_type["notification.failed.v1"]),
    ):
        for e in events:
            channel = e.data.chat if e.data.channel == "chat" else e.data.channel
            ex.count(f"deliveries|outcome={outcome}", e.time, zone)
            ex.count(f"deliveries|channel={channel}", e.time, zone)
            ex.count("delivery_attempts", e.time, zone, e.data.attempts)
            if outcome == "failed":
                ex.count("failures", e.time, zone)
            if e.data.channel == "in_app" and outcome == "sent":
                sent[e.data.delivery_id] = e.time
            source = happened.get(e.data.source_event_id)
            if outcome == "sent" and e.data.replay_of is None and source is not None:
                took = (e.time - source).total_seconds()
                kind = e.data.source_event_type
                for name in ("", f"|channel={channel}", f"|source={kind}"):
                    ex.durations[f"notification_latency{name}"].append(took)
                ex.crossed_durations[
                    f"notification_latency|channel={channel}|source={kind}"
                ].append(took)
    for e in by_type["notification.unsubscribed.v1"]:
        group = e.data.event.split(".")[0]
        ex.count("staff_unsubscribes", e.time, zone)
        ex.count(f"staff_unsubscribes|channel={e.data.channel}", e.time, zone)
        ex.count(f"staff_unsubscribes|group={group}", e.time, zone)
        ex.count(f"staff_unsubscribes|via={e.data.via}", e.time, zone)
        ex.crossed[f"staff_unsubscribes|channel={e.data.channel}|group={group}"] += 1
    for e in by_type["notification.read.v1"]:
        ex.count("reads", e.data.read_at, zone)
        ex.durations["read_time"].append(
            (e.data.read_at - sent[e.data.notification_id]).total_seconds()
        )
