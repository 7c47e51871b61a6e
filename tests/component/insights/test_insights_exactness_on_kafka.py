"""A known history through real Kafka (duplicates and interleaved partitions) into the real
store: every figure against counts made from the events alone; then a rebuild and a change
of time zone give the same figures again."""

from __future__ import annotations

from ensemble_insights.models.api import Period
from ensemble_shared.auth import Role
from ensemble_shared.kafka import EventPublisher
from support.insights import compare_members, compare_series, compare_stocks
from support.insights_app import InsightsDriver, publish_all
from support.insights_history import ZONE, deliveries, expected, history, period_days
from support.waiting import eventually

NEW_YORK = "America/New_York"


async def _settled(
    insights: InsightsDriver, events_count: dict[str, float], period: Period
) -> None:
    await insights.until_totals(events_count, period.start.isoformat(), period.end.isoformat())


async def test_figures_from_kafka_match_counts_made_from_the_events(
    insights: InsightsDriver, events_publisher: EventPublisher
) -> None:
    response = await insights.client.put(
        "/insights/settings", json={"time_zone": ZONE}, headers=insights.headers("acme", Role.ADMIN)
    )
    assert response.status_code == 200, response.text
    events = history()
    await publish_all(events_publisher, deliveries(events))
    start, end = period_days()
    period = Period(start=start, end=end)
    ex = expected(events)
    wanted = {
        m: float(ex.counts[m])
        for m in (
            "mentions",
            "approvals_requested",
            "submissions",
            "members_registered",
            "checkins",
        )
    }
    wanted["deliveries"] = float(
        ex.counts["deliveries|outcome=sent"] + ex.counts["deliveries|outcome=failed"]
    )
    wanted["reads"] = float(ex.counts["reads"])
    await _settled(insights, wanted, period)

    projection = insights.runner.projection()
    # The totals waited for come from a few streams; the others (approvals completed, say)
    # may be a round behind: every series must reach the exact figure.
    await eventually(
        lambda: compare_series(projection.queries, "acme", ex, period),
        lambda differences: differences == [],
        timeout=120,
        what="every series exact",
    )
    assert compare_stocks(await projection.dashboard.stocks("acme"), ex) == []
    assert await compare_members(projection.dashboard, "acme", ex, period) == []

    # A rebuild reads the streams again into a new generation: the same figures.
    response = await insights.client.post(
        "/insights/admin/rebuild", headers=insights.headers("acme", Role.ADMIN)
    )
    assert response.status_code == 202, response.text
    assert insights.runner.projection().generation == 2
    await _settled(insights, wanted, period)
    await eventually(
        lambda: compare_series(insights.runner.projection().queries, "acme", ex, period),
        lambda differences: differences == [],
        timeout=120,
        what="every series exact after the rebuild",
    )

    # Another zone: the days are re-derived from the quarter-hours, not rebuilt.
    body = {"time_zone": NEW_YORK}
    response = await insights.client.put(
        "/insights/settings", json=body, headers=insights.headers("acme", Role.ADMIN)
    )
    assert response.status_code == 200, response.text

    async def zone() -> str:
        series = await insights.get(
            "/insights/series", metric="mentions", start=start.isoformat(), end=end.isoformat()
        )
        return str(series["time_zone"])

    await eventually(zone, lambda z: z == NEW_YORK, what="days in the new zone")
    ny_start, ny_end = period_days(NEW_YORK)
    ny_period = Period(start=ny_start, end=ny_end)
    ny = expected(events, NEW_YORK)
    assert await compare_series(insights.runner.projection().queries, "acme", ny, ny_period) == []
