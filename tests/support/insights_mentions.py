"""A small mention history for the Insights page's tests: last month against the month
before (in the admin's zone, Europe/Paris), counted by hand in `history`'s docstring; and a
small community beside it (`community`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ensemble_shared.events import (
    Author,
    CheckInData,
    DeliveryData,
    Event,
    EventCheckedInV1,
    EventRsvpV1,
    MemberData,
    MemberRegisteredV1,
    MentionData,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionTriagedData,
    MentionTriagedV1,
    NotificationSentV1,
    Payload,
    RsvpData,
    SpikeData,
    SubmissionCreatedV1,
    SubmissionData,
    SubmissionVotedData,
    SubmissionVotedV1,
    TriageData,
)
from ensemble_shared.events.notifications import NotificationUnsubscribedV1, UnsubscribedData


def mention(n: int, day: date, platform: str, sentiment: str) -> list[Event]:
    """The n-th mention; even ones are tagged `launch` (share of voice)."""
    moment = datetime.combine(day, time(12), UTC)
    data = MentionData(
        mention_id=f"m{n}",
        platform=platform,
        external_id=str(n),
        author=Author(id=f"a{n}", handle=f"user{n}"),
        text="hello",
        created_at=moment,
    )
    common = {"source": "ensemble/ingest", "subject": f"m{n}", "workspace": "acme", "time": moment}
    tags = ("launch",) if n % 2 == 0 else ()
    triage = TriageData(language="en", sentiment=sentiment, tags=tags)
    received = MentionReceivedV1(**common, data=data)
    first_triage = MentionTriagedV1(
        **common,
        data=MentionTriagedData(mention=data, triage=triage),
        causation_id=received.id,  # ingest's contract: the first triage follows the arrival
    )
    return [received, first_triage]


def months() -> tuple[date, date]:
    """The first day of last month and of the month before, in the admin's zone."""
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return last, (last - timedelta(days=1)).replace(day=1)


def history() -> list[Event]:
    """Last month: 4 on Mastodon, 2 on X, 3 negative; the month before: 4 on Mastodon, 1
    negative."""
    last, before = months()
    plan = [
        (last, "mastodon", "negative"),
        (last + timedelta(days=3), "mastodon", "negative"),
        (last + timedelta(days=3), "mastodon", "positive"),
        (last + timedelta(days=9), "mastodon", "neutral"),
        (last + timedelta(days=12), "x", "negative"),
        (last + timedelta(days=20), "x", "positive"),
        (before + timedelta(days=1), "mastodon", "negative"),
        (before + timedelta(days=5), "mastodon", "neutral"),
        (before + timedelta(days=5), "mastodon", "positive"),
        (before + timedelta(days=25), "mastodon", "neutral"),
    ]
    return [e for n, (day, p, s) in enumerate(plan) for e in mention(n, day, p, s)]


def community() -> list[Event]:
    """The month before: mb0 registers and submits an idea. Last month: mb1 and mb2 register,
    mb0 submits another idea and votes (2 activities), mb1 votes, takes a seat at the Meetup
    (ev1) and checks in (3 activities); a spike of negative mentions on the day of m1 (4th day)."""
    last, before = months()

    def at(day: date, hour: int = 12) -> datetime:
        return datetime.combine(day, time(hour), UTC)

    def event(kind: type[Event], moment: datetime, subject: str, data: Payload) -> Event:
        return kind(
            source="ensemble/test",
            subject=subject,
            workspace="acme",
            time=moment,
            data=data,  # type: ignore[call-arg]
        )

    def member(n: int, day: date) -> Event:
        data = MemberData(member_id=f"mb{n}", display_name=f"M{n}")
        return event(MemberRegisteredV1, at(day), f"mb{n}", data)

    def idea(sid: str, author: str, day: date) -> Event:
        data = SubmissionData(submission_id=sid, kind="idea", title="t", author_member_id=author)
        return event(SubmissionCreatedV1, at(day, 13), sid, data)

    def vote(sid: str, voter: str, day: date, votes: int) -> Event:
        data = SubmissionVotedData(submission_id=sid, member_id=voter, action="voted", votes=votes)
        return event(SubmissionVotedV1, at(day, 14), sid, data)

    starts = at(last + timedelta(days=10), 18)
    seat = RsvpData(
        event_id="ev1", title="Meetup", starts_at=starts, member_id="mb1", status="confirmed"
    )
    door = CheckInData(event_id="ev1", title="Meetup", member_id="mb1")
    spike = SpikeData(
        topic="*",
        negative_only=True,
        bucket_start=at(last + timedelta(days=3)),
        bucket_seconds=3600,
        count=2,
        mean=0.1,
        stddev=0.3,
        threshold=1.0,
    )
    return [
        member(0, before + timedelta(days=2)),
        idea("s0", "mb0", before + timedelta(days=2)),
        member(1, last + timedelta(days=1)),
        member(2, last + timedelta(days=1)),
        idea("s1", "mb0", last + timedelta(days=2)),
        vote("s0", "mb0", last + timedelta(days=2), 1),
        vote("s1", "mb1", last + timedelta(days=4), 1),
        event(EventRsvpV1, at(last + timedelta(days=5)), "ev1", seat),
        event(EventCheckedInV1, starts, "ev1", door),
        event(MentionSpikeDetectedV1, at(last + timedelta(days=3), 13), "spike", spike),
    ]


def notified(events: list[Event]) -> list[Event]:
    """Deliveries of `history`'s arrivals. Last month: m0 and m1 by email 2 and 4 minutes
    after they arrived (mean 3 min), m2 in-app 2 hours after; the month before: m6 by email
    10 minutes after."""
    arrived = {e.data.mention_id: e for e in events if isinstance(e, MentionReceivedV1)}
    plan = [
        ("m0", "email", 120),
        ("m1", "email", 240),
        ("m2", "in_app", 7200),
        ("m6", "email", 600),
    ]
    found: list[Event] = []
    for n, (mention_id, channel, seconds) in enumerate(plan):
        source = arrived[mention_id]
        data = DeliveryData(
            delivery_id=f"d{n}",
            channel=channel,
            recipient="ana",
            source_event_id=source.id,
            source_event_type=source.type,
            attempts=1,
            status_code=200,
        )
        found.append(
            NotificationSentV1(
                source="ensemble/notify",
                subject=f"d{n}",
                workspace="acme",
                time=source.time + timedelta(seconds=seconds),
                data=data,
            )
        )
    return found


def turned_off() -> list[Event]:
    """Staff unsubscribes: two last month (email, in-app), one the month before."""
    last, before = months()
    plan = [(last + timedelta(days=2), "email"), (last + timedelta(days=8), "in_app")]
    plan.append((before + timedelta(days=4), "email"))
    return [
        NotificationUnsubscribedV1(
            source="ensemble/notify",
            subject="acme/ana",
            workspace="acme",
            time=datetime.combine(day, time(9), UTC),
            data=UnsubscribedData(person="ana", event="approval.*", channel=channel, via="link"),
        )
        for day, channel in plan
    ]
