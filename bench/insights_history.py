"""A synthetic event history for the insights benchmark: every stream, 90 days, a few
workspaces, serialized once and produced with aiokafka in batches (as fast as the broker
takes them), so the rebuild measures insights, not the producer."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

from ensemble_shared.events import (
    ApprovalRequestData,
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    Author,
    ContentPublishedData,
    ContentPublishedV1,
    ContentScheduledV1,
    DeliveryData,
    Event,
    MemberData,
    MemberRegisteredV1,
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
    ScheduleData,
    StepDecisionData,
    SubmissionCreatedV1,
    SubmissionData,
    SubmissionVotedData,
    SubmissionVotedV1,
    TriageData,
)
from ensemble_shared.events.approvals import ApprovalCompletedV1, ApprovalOutcomeData
from ensemble_shared.kafka import record_for
from ensemble_shared.topics import Topics

WORKSPACES = ("bench-a", "bench-b", "bench-c")
WEIGHTS = (6, 3, 1)
PLATFORMS = ("mastodon", "x", "reddit", "bluesky", "rss")
TAGS = ("brand_a", "brand_b", "bug", "delivery", "price")


def _mention(rng: random.Random, ws: str, n: int, t: datetime) -> list[Event]:
    mid = f"{ws}-m{n}"
    data = MentionData(
        mention_id=mid,
        platform=rng.choice(PLATFORMS),
        external_id=str(n),
        author=Author(id=str(n % 5000), handle=f"user{n % 5000}"),
        text="bench",
        created_at=t - timedelta(minutes=rng.randint(0, 60)),
    )
    common = {"source": "ensemble/ingest", "subject": mid, "workspace": ws}
    received = MentionReceivedV1(**common, time=t, data=data)
    triage = TriageData(
        language=rng.choice(("en", "fr", "de")),
        sentiment=rng.choice(("positive", "neutral", "negative")),
        tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
        priority=rng.choice(("low", "normal", "normal", "high", "urgent")),
        team=rng.choice(("support", "sales", None)),
        vip=n % 97 == 0,
    )
    triaged = MentionTriagedV1(
        **common,
        time=t + timedelta(seconds=1),
        data=MentionTriagedData(mention=data, triage=triage),
        causation_id=received.id,
    )
    found: list[Event] = [received, triaged]
    who = rng.choice(("ana", "bob", "cleo", "dan"))
    if rng.random() < 0.25:
        found.append(
            MentionAssignedV1(
                **common,
                time=t + timedelta(minutes=rng.randint(5, 600)),
                data=MentionAssignedData(mention_id=mid, assignee=who, by="lead"),
            )
        )
    if rng.random() < 0.3:
        found.append(
            MentionStatusChangedV1(
                **common,
                time=t + timedelta(minutes=rng.randint(10, 3000)),
                data=MentionStatusChangedData(
                    mention_id=mid, status="replied", previous="assigned", by=who
                ),
            )
        )
    return found


def _community(rng: random.Random, ws: str, n: int, t: datetime) -> list[Event]:
    sid, member = f"{ws}-s{n}", f"{ws}-mb{rng.randrange(2000)}"
    common = {"source": "ensemble/feedback", "workspace": ws}
    found: list[Event] = [
        SubmissionCreatedV1(
            **common,
            subject=sid,
            time=t,
            data=SubmissionData(submission_id=sid, kind="idea", title="t", author_member_id=member),
        )
    ]
    for k in range(rng.randint(0, 5)):
        voter = f"{ws}-mb{rng.randrange(2000)}"
        found.append(
            SubmissionVotedV1(
                **common,
                subject=sid,
                time=t + timedelta(hours=k + 1),
                data=SubmissionVotedData(
                    submission_id=sid, member_id=voter, action="voted", votes=k + 1
                ),
            )
        )
    if n % 4 == 0:
        found.append(
            MemberRegisteredV1(
                **common,
                subject=f"{ws}-new{n}",
                time=t,
                data=MemberData(member_id=f"{ws}-new{n}", display_name="m"),
            )
        )
    return found


def _notifications(rng: random.Random, ws: str, n: int, source: Event) -> list[Event]:
    """A delivery of `source` (a mention's arrival), seconds to minutes after it."""
    channel = rng.choice(("webhook", "email", "in_app"))
    failed = n % 20 == 0
    t = source.time + timedelta(seconds=rng.randint(1, 600))
    data = DeliveryData(
        delivery_id=f"{ws}-d{n}",
        channel=channel,
        recipient="r",
        source_event_id=source.id,
        source_event_type=source.type,
        attempts=3 if failed else 1,
        status_code=500 if failed else 200,
    )
    cls = NotificationFailedV1 if failed else NotificationSentV1
    return [
        cls(source="ensemble/notify", subject=data.delivery_id, workspace=ws, time=t, data=data)
    ]


def _approval(rng: random.Random, ws: str, n: int, t: datetime) -> list[Event]:
    aid, cid = f"{ws}-a{n}", f"{ws}-c{n}"
    common = {"source": "ensemble/scheduler", "subject": cid, "workspace": ws}
    decided = t + timedelta(minutes=rng.randint(5, 600))
    slot = t + timedelta(hours=12)
    return [
        ApprovalRequestedV1(
            **common,
            time=t,
            data=ApprovalRequestData(
                approval_id=aid, content_id=cid, policy="standard", steps=("comms",)
            ),
        ),
        ApprovalStepDecidedV1(
            **common,
            time=decided,
            data=StepDecisionData(
                approval_id=aid, content_id=cid, step="comms", decision="approve", decided_by="l"
            ),
        ),
        ApprovalCompletedV1(
            **common,
            time=decided,
            data=ApprovalOutcomeData(approval_id=aid, content_id=cid, version=1),
        ),
        ContentScheduledV1(
            **common,
            time=t,
            data=ScheduleData(content_id=cid, channel="mastodon", slot_at=slot, sequence=1, by="a"),
        ),
        ContentPublishedV1(
            **common,
            time=slot + timedelta(minutes=rng.choice((0, 2, 30))),
            data=ContentPublishedData(content_id=cid, channel="mastodon", platform_post_id="p"),
        ),
    ]


def synthetic(total: int, *, days: int = 90, seed: int = 1) -> Iterator[Event]:
    """About `total` events over the `days` before today (UTC), in time order per stream."""
    rng = random.Random(seed)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    span = (end - start).total_seconds() - 3 * 86400
    made, n = 0, 0
    while made < total:
        ws = rng.choices(WORKSPACES, WEIGHTS)[0]
        t = start + timedelta(seconds=span * made / total)
        batch = _mention(rng, ws, n, t)
        if n % 6 == 0:
            batch += _community(rng, ws, n, t)
        if n % 2 == 0:
            batch += _notifications(rng, ws, n, batch[0])
        if n % 40 == 0:
            batch += _approval(rng, ws, n, t)
        made += len(batch)
        n += 1
        yield from batch


async def produce(bootstrap: str, topics: Topics, events: Iterator[Event]) -> int:
    """Produce every event (acks=all, idempotent, batched); how many."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, acks="all", linger_ms=20
    )
    await producer.start()
    count = 0
    try:
        pending = []
        for event in events:
            record = record_for(event, topics)
            pending.append(await producer.send(record.topic, record.value, key=record.key.encode()))
            count += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return count
