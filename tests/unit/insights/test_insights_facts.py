"""Events to facts: every type a figure needs is read; job runs are not."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_insights.services.facts import EXTRACTORS, counted_streams, fact_of
from ensemble_shared.events import (
    Author,
    DigestRequestedV1,
    MentionData,
    MentionReceivedV1,
    MentionTriagedData,
    MentionTriagedV1,
    TriageData,
)
from ensemble_shared.events.schedules import DigestRequestData
from ensemble_shared.topics import ACCOUNTS, INSIGHTS, SCHEDULES, STREAMS

NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _mention() -> MentionData:
    return MentionData(
        mention_id="m1",
        platform="x",
        external_id="1",
        author=Author(id="a", handle="ann"),
        text="hi",
        created_at=datetime(2026, 10, 2, tzinfo=UTC),  # a clock ahead of ours
    )


def test_every_event_of_the_streams_figures_come_from_has_an_extractor() -> None:
    # Staff accounts are no figure (community members are counted from feedback's events).
    uncounted = (SCHEDULES, INSIGHTS, ACCOUNTS)
    expected = {e for s in STREAMS if s not in uncounted for e in s.events}
    assert expected <= set(EXTRACTORS)
    assert SCHEDULES not in counted_streams()


def test_the_first_triage_is_the_one_caused_by_the_arrival_and_never_posted_after_it() -> None:
    received = MentionReceivedV1(
        source="ensemble/ingest", subject="m1", workspace="acme", time=NOW, data=_mention()
    )
    data = MentionTriagedData(mention=_mention(), triage=TriageData(tags=("bug",), vip=True))
    first = MentionTriagedV1(
        source="ensemble/ingest",
        subject="m1",
        workspace="acme",
        time=NOW,
        data=data,
        causation_id=received.id,
    )
    again = MentionTriagedV1(
        source="ensemble/ingest", subject="m1", workspace="acme", time=NOW, data=data
    )
    fact = fact_of(first)
    assert fact is not None
    assert fact.kind == "mention.triaged"
    assert fact.data["first"] is True
    assert fact.data["posted"] == NOW.timestamp()
    assert fact.data["author"] == "x:ann"
    second = fact_of(again)
    assert second is not None
    assert second.data["first"] is False


def test_job_runs_give_no_fact() -> None:
    data = DigestRequestData(
        job="d", run_id="r", scheduled_for=NOW, period="daily", window_start=NOW, window_end=NOW
    )
    event = DigestRequestedV1(
        source="ensemble/scheduler", subject="acme:d", workspace="acme", data=data
    )
    assert fact_of(event) is None
