"""The projection's figures against counts made from the events alone (in memory)."""

from __future__ import annotations

import csv
import io

import pytest

from ensemble_insights.models.api import Period
from ensemble_insights.models.rollups import Content, Ref
from ensemble_insights.services.export import series_csv
from ensemble_insights.services.overview import Dashboard
from ensemble_insights.services.projection.buckets import rederive
from ensemble_insights.services.reading import previous
from ensemble_shared.engagement import EngagementWeights
from ensemble_shared.events import NotificationSentV1
from ensemble_shared.events.members import EngagementWeightsChangedV1
from support.insights import (
    MemoryRollups,
    compare_members,
    compare_series,
    compare_stocks,
    project,
    queries_on,
    rounded_sum,
    series_totals,
)
from support.insights_history import WEIGHTS, ZONE, deliveries, expected, history, period_days


async def test_every_figure_matches_an_independent_count_despite_duplicates_and_reordering() -> (
    None
):
    events = history()
    store = project(deliveries(events), ZONE)
    queries = queries_on(store, ZONE)
    start, end = period_days()
    period = Period(start=start, end=end)
    ex = expected(events)
    assert ex.counts["mentions"] == 60  # the history is not empty
    assert ex.durations["reply_time"]
    assert len(ex.durations["notification_latency"]) > 20
    assert await compare_series(queries, "acme", ex, period) == []
    dashboard = Dashboard(queries)
    assert compare_stocks(await dashboard.stocks("acme"), ex) == []
    assert await compare_members(dashboard, "acme", ex, period) == []
    figures = (await dashboard.overview("acme", period)).figures
    for name, counted in (
        ("mentions", ex.counts["mentions"]),
        ("mentions_negative", ex.counts["mentions|sentiment=negative"]),
        ("inbox_replied", ex.counts["inbox_replied"]),
        ("sla_breaches", ex.counts["sla_breaches"]),
        ("approvals_completed", ex.counts["approvals_completed"]),
        ("published_on_time", ex.counts["published|timing=on_time"]),
        ("members_registered", ex.counts["members_registered"]),
        ("votes", ex.counts["votes|action=voted"]),
        ("deliveries_failed", ex.counts["deliveries|outcome=failed"]),
        ("active_members", len(ex.active)),
        ("staff_unsubscribes", ex.counts["staff_unsubscribes"]),
    ):
        assert figures[name].value == counted, name
        assert figures[name].previous == 0
    share = figures["negative_share"].value
    assert share == ex.counts["mentions|sentiment=negative"] / ex.counts["mentions"]
    assert ex.durations["decision_time|person=max"]  # two approvers decide some steps
    rejected = await queries.breakdown(
        "acme", "step_decisions", "person", period, fixed={"decision": "reject"}
    )
    assert {row.value: row.total for row in rejected.rows} == {
        name.rsplit("=", 1)[1]: float(n)
        for name, n in ex.crossed.items()
        if name.startswith("step_decisions|decision=reject|")
    }
    platforms = {n.split("=")[1] for n in ex.counts if n.startswith("mentions|platform=")}
    assert len(platforms) > 1
    half = Period(start=start, end=start + (end - start) / 2)
    for _ in range(2):  # the second time from the kept result
        for asked in (period, half):
            by_platform = await queries.breakdown("acme", "mentions", "platform", asked)
            alone = {
                p: (await queries.series("acme", "mentions", asked, fixed={"platform": p})).total
                for p in platforms
            }
            assert {row.value: row.total for row in by_platform.rows} == {
                p: n for p, n in alone.items() if n
            }
            if asked == period:
                assert alone == {p: ex.counts[f"mentions|platform={p}"] for p in platforms}
    latency = await queries.breakdown("acme", "notification_latency", "channel", period)
    assert {row.value: row.stats.count for row in latency.rows if row.stats} == {
        name.split("=")[1]: len(values)
        for name, values in ex.durations.items()
        if name.startswith("notification_latency|channel=") and "|source=" not in name
    }
    assert figures["notification_latency_p50"].value is not None
    timed = await queries.series("acme", "notification_latency", period, fixed={"channel": "email"})
    exported = list(csv.DictReader(io.StringIO(series_csv(timed))))
    emails = ex.durations["notification_latency|channel=email"]
    assert sum(int(row["count"]) for row in exported) == len(emails) > 0
    for channel in ("email", "in_app"):
        by_source = await queries.breakdown(
            "acme", "notification_latency", "source", period, fixed={"channel": channel}
        )
        got = {
            row.value: (row.stats.count, row.stats.sum_seconds)
            for row in by_source.rows
            if row.stats
        }
        prefix = f"notification_latency|channel={channel}|source="
        assert got == {
            name.removeprefix(prefix): (len(values), rounded_sum(values))
            for name, values in ex.crossed_durations.items()
            if name.startswith(prefix)
        }
        assert len(got) > 1
    turned_off = await queries.breakdown(
        "acme", "staff_unsubscribes", "group", period, fixed={"channel": "email"}
    )
    assert (
        {row.value: row.total for row in turned_off.rows}
        == {
            name.rsplit("=", 1)[1]: float(n)
            for name, n in ex.crossed.items()
            if name.startswith("staff_unsubscribes|channel=email|")
        }
        == {"approval": 2.0, "*": 1.0}
    )
    slowest = await queries.breakdown("acme", "decision_time", "person", period)
    assert {row.value: row.stats.count for row in slowest.rows if row.stats} == {
        who: len(ex.durations[f"decision_time|person={who}"]) for who in ("lea", "max")
    }


def test_deliveries_arrive_before_and_after_their_events_and_some_twice() -> None:
    """What the latency's exactness above rests on: the history's arrival order."""
    arrived = deliveries(history())
    first_seen: dict[str, int] = {}
    for n, event in enumerate(arrived):
        first_seen.setdefault(event.id, n)
    sent = [e for e in arrived if isinstance(e, NotificationSentV1) and e.data.replay_of is None]
    timed = [e for e in sent if e.data.source_event_id in first_seen]
    early = [e for e in timed if first_seen[e.id] < first_seen[e.data.source_event_id]]
    late = [e for e in timed if first_seen[e.id] > first_seen[e.data.source_event_id]]
    assert len(early) >= 3
    assert len(late) >= 3
    repeated = {e.id for e in sent if sum(1 for a in arrived if a.id == e.id) > 1}
    assert repeated & {e.id for e in early}
    assert repeated & {e.id for e in late}
    assert len({e.data.source_event_id for e in timed}) < len(timed)  # an event fanned out


async def test_the_latest_weights_score_members_whatever_order_they_arrive_in() -> None:
    events = history(seed=11)
    changes = [e for e in events if isinstance(e, EngagementWeightsChangedV1)]
    assert len(changes) == 2
    assert changes[0].time < changes[1].time
    rest = [e for e in events if not isinstance(e, EngagementWeightsChangedV1)]
    in_order = project([*changes, *rest, changes[0]], ZONE, round_size=30)
    reversed_ = project([changes[1], *rest, changes[0], changes[1]], ZONE, round_size=30)
    assert in_order.docs == reversed_.docs
    start, end = period_days()
    view = await Dashboard(queries_on(reversed_, ZONE)).members(
        "acme", Period(start=start, end=end)
    )
    assert view.engagement_weights == {**EngagementWeights().model_dump(), **WEIGHTS[1]}
    unweighted = project(rest, ZONE)
    defaults = await Dashboard(queries_on(unweighted, ZONE)).members(
        "acme", Period(start=start, end=end)
    )
    assert defaults.engagement_weights == EngagementWeights().model_dump()
    assert defaults.engagement_distribution != view.engagement_distribution
    assert sum(defaults.engagement_distribution.values()) == defaults.active


async def test_the_order_of_arrival_and_the_round_boundaries_change_nothing() -> None:
    events = history(seed=11)
    first = project(deliveries(events, seed=1), ZONE, round_size=7)
    second = project(deliveries(events, seed=2, repeat_every=3), ZONE, round_size=200)
    assert first.docs == second.docs


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kathmandu", "Pacific/Chatham"])
async def test_days_follow_the_zone_asked_for_even_off_the_hour(zone: str) -> None:
    events = history(seed=5)
    start, end = period_days(zone)
    period = Period(start=start, end=end)
    ex = expected(events, zone)
    assert await compare_series(queries_on(project(events, zone), zone), "acme", ex, period) == []


async def test_a_new_zone_is_re_derived_from_the_quarter_hours_alone() -> None:
    events = history(seed=5)
    store = project(events, ZONE)
    zone = "Asia/Kathmandu"
    quarters: dict[str, dict[str, Content]] = {}
    for ref, content in store.docs.items():
        if ref.layer == "q":
            quarters.setdefault(ref.family, {})[ref.period] = content
    rederived = MemoryRollups(
        {
            Ref("d", "acme", family, month, zone): content
            for family, days in quarters.items()
            for month, content in rederive(days, zone).items()
        }
    )
    direct = project(events, zone)
    assert rederived.docs == {ref: c for ref, c in direct.docs.items() if ref.layer == "d"}


async def test_hours_cover_the_day_clocks_go_back_and_add_up_to_the_days() -> None:
    events = history(seed=5)
    store = project(events, ZONE)
    queries = queries_on(store, ZONE)
    start, end = period_days()
    days = await queries.series("acme", "mentions", Period(start=start, end=end))
    hours = await queries.series(
        "acme", "mentions", Period(start=start, end=end), granularity="hour"
    )
    assert series_totals(hours) == days.total
    change_day = [p for p in hours.points if p.period.startswith("2026-10-25")]
    assert len(change_day) == 25  # 02:00 happens twice, at +02:00 then +01:00


@pytest.mark.parametrize("granularity", ["day", "hour"])
async def test_a_comparison_is_the_period_before_read_on_its_own(granularity: str) -> None:
    queries = queries_on(project(history(seed=5), ZONE), ZONE)
    start, end = period_days()
    half = start + (end - start) / 2
    period = Period(start=half, end=end)
    for metric, fixed in (("mentions", {}), ("reply_time", {"team": "support"})):
        both = await queries.series(
            "acme", metric, period, granularity=granularity, fixed=fixed, compare=True
        )
        alone = await queries.series("acme", metric, period, granularity=granularity, fixed=fixed)
        before = await queries.series(
            "acme", metric, previous(period), granularity=granularity, fixed=fixed
        )
        assert before.total  # the period before holds figures
        assert both.model_copy(update={"previous": None, "change": None}) == alone
        assert both.previous == before
