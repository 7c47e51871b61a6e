"""Notification latency: an event and its deliveries paired in any order, each counted once,
and the pairs forgotten once both streams are a tracking window past them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from ensemble_insights.models.facts import Fact
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.facts import fact_of
from ensemble_insights.services.projection.fold import Fold
from ensemble_insights.services.projection.latency import LATENCY
from ensemble_insights.services.projection.state import State
from ensemble_shared.events import DeliveryData, NotificationSentV1

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC).timestamp()
DAY = 86400.0
WINDOW = 30 * DAY


def source(
    event_id: str, at: float, kind: str = "mention.assigned", data: dict[str, Any] | None = None
) -> Fact:
    found = data if data is not None else {"assignee": "ana", "team": None}
    return Fact(event_id, kind, "acme", at, "m1", found)


def sent(
    delivery: str,
    at: float,
    *,
    of: str = "e1",
    channel: str = "email",
    source_type: str = "mention.assigned.v1",
    replay: bool = False,
    kind: str = "notification.sent",
) -> Fact:
    data = {
        "channel": channel,
        "attempts": 1,
        "code": "200",
        "replay": replay,
        "source": source_type,
        "source_id": of,
    }
    return Fact(f"ev-{delivery}", kind, "acme", at, delivery, data)


def fold() -> Fold:
    return Fold(State(), WorkspaceSettings.default, window_seconds=WINDOW)


def latencies(folded: Fold, facts: list[Fact]) -> Counter[tuple[float | None, str]]:
    """(when, series) -> amount of the latency contributions folding `facts` added."""
    found: Counter[tuple[float | None, str]] = Counter()
    for out in folded.run(facts).values():
        for at, _, series, amount in out.contributions:
            if series.startswith("notification_latency"):
                found[(at, series)] += amount
    return +found


def latency_entities(state: State) -> list[str]:
    return [key for key, _ in state.items() if key.startswith(f"{LATENCY}|")]


def test_the_source_event_id_reaches_the_delivery_fact() -> None:
    data = DeliveryData(
        delivery_id="d1",
        channel="in_app",
        recipient="ana",
        source_event_id="e1",
        source_event_type="mention.assigned.v1",
        attempts=1,
    )
    event = NotificationSentV1(source="ensemble/notify", subject="d1", workspace="acme", data=data)
    fact = fact_of(event)
    assert fact is not None
    assert (fact.data["source_id"], fact.data["source"]) == ("e1", "mention.assigned.v1")


def test_a_delivery_is_timed_from_its_event_whichever_arrives_first() -> None:
    event, delivery = source("e1", T0), sent("d1", T0 + 90)
    first = fold()
    before = latencies(first, [event]) + latencies(first, [delivery])
    second = fold()
    after = latencies(second, [delivery]) + latencies(second, [event])
    assert before == after
    assert before[(T0 + 90, "notification_latency.sum")] == 90
    assert before[(T0 + 90, "notification_latency.count|channel=email")] == 1
    assert before[(T0 + 90, "notification_latency.count|source=mention.assigned.v1")] == 1
    crossed = "notification_latency.sum|channel=email|source=mention.assigned.v1"
    assert before[(T0 + 90, crossed)] == 90


def test_deliveries_waiting_for_their_event_are_each_timed_once_when_it_comes() -> None:
    folded = fold()
    email, app = sent("d1", T0 + 60), sent("d2", T0 + 5, channel="in_app")
    assert latencies(folded, [email, app, email]) == Counter()  # the event is not known yet
    counted = latencies(folded, [source("e1", T0)])
    assert counted[(T0 + 60, "notification_latency.sum|channel=email")] == 60
    assert counted[(T0 + 5, "notification_latency.sum|channel=in_app")] == 5
    assert counted[(T0 + 60, "notification_latency.count")] == 1
    assert counted[(T0 + 5, "notification_latency.count")] == 1
    later = latencies(folded, [sent("d3", T0 + 7200, channel="webhook")])
    assert later[(T0 + 7200, "notification_latency.sum|channel=webhook")] == 7200
    assert later[(T0 + 7200, "notification_latency.count")] == 1
    entity = folded.state.get(f"{LATENCY}|acme|mention/e1")
    assert entity == {"at": T0, "last": T0 + 60}  # no list of deliveries kept


def test_failures_replays_and_events_notify_never_reads_are_not_timed() -> None:
    folded = fold()
    facts = [
        source("e1", T0),
        sent("d1", T0 + 9, kind="notification.failed"),
        sent("d2", T0 + 9, replay=True),
        sent("d3", T0 + 9, of="digest-1", source_type="notification.digest.v1"),
        sent("d4", T0 + 9, of="r1", source_type="insights.report_published.v1"),
        # notify reads neither the content stream nor the members one
        source("e2", T0, kind="content.published", data={"channel": "mastodon"}),
        source("e3", T0, kind="member.registered", data={"language": "en", "consents": []}),
    ]
    assert latencies(folded, facts) == Counter()
    assert latency_entities(folded.state) == [f"{LATENCY}|acme|mention/e1"]


def test_events_and_waiting_deliveries_are_forgotten_once_both_streams_moved_on() -> None:
    folded = fold()
    folded.run([source("e1", T0), sent("d9", T0, of="e-never-read")])
    assert len(latency_entities(folded.state)) == 2
    # Only the mentions stream moves on: a delivery of e1 may still come.
    folded.run([source("e2", T0 + WINDOW + 2 * DAY)])
    assert f"{LATENCY}|acme|mention/e1" in latency_entities(folded.state)
    # The notifications stream too: e1 and the delivery still waiting for its event go.
    folded.run([sent("d10", T0 + WINDOW + 3 * DAY, of="e2")])
    folded.run([source("e3", T0 + WINDOW + 5 * DAY)])
    assert latency_entities(folded.state) == [
        f"{LATENCY}|acme|mention/e2",
        f"{LATENCY}|acme|mention/e3",
    ]


def test_the_first_round_evicts_nothing_whatever_its_clocks_say() -> None:
    """A rebuild's first round may hold one partition's last month and another's first day:
    its clocks then lie about what the other partitions have not given yet."""
    folded = fold()
    late = source("e2", T0 + 50 * DAY)
    assert latencies(folded, [sent("d1", T0 + 600), late, sent("d2", T0 + 50 * DAY + 5, of="e2")])
    counted = latencies(folded, [source("e1", T0)])
    assert counted[(T0 + 600, "notification_latency.sum")] == 600
