"""Insights' HTTP API on the real stack: who may ask, what may be asked, CSV, workspaces,
weekly reports with their chart images, and the operator's status."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlsplit

from ensemble_insights.models.api import Period
from ensemble_shared.auth import Role
from ensemble_shared.events import NotificationSentV1
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.topics import INSIGHTS
from support.insights_app import InsightsDriver, publish_all
from support.insights_history import ZONE, expected, history, local_day, period_days
from support.insights_mentions import mention
from support.kafka import read_topic
from support.waiting import eventually

START, END = (d.isoformat() for d in period_days())


async def _loaded(
    insights: InsightsDriver, publisher: EventPublisher, workspace: str = "acme"
) -> None:
    response = await insights.client.put(
        "/insights/settings",
        json={"time_zone": ZONE},
        headers=insights.headers(workspace, Role.ADMIN),
    )
    assert response.status_code == 200, response.text
    events = history(workspace, seed=2)
    await publish_all(publisher, events)
    ex = expected(events)
    await insights.until_totals(
        {"mentions": float(ex.counts["mentions"]), "submissions": float(ex.counts["submissions"])},
        START,
        END,
    )


async def _timed_deliveries_folded(insights: InsightsDriver, week_start: date) -> None:
    """Wait until insights timed every delivery of that week the history can time (a
    delivery is timed once both it and the event it delivers are folded: other topics than
    mentions and submissions may still be on their way when `_loaded` returns)."""
    week = {week_start + timedelta(days=n) for n in range(7)}
    events = history("acme", seed=2)
    happened = {e.id for e in events}
    timed = sum(
        1
        for e in events
        if isinstance(e, NotificationSentV1)
        and e.data.replay_of is None
        and e.data.source_event_id in happened
        and local_day(e.time) in week
    )
    assert timed > 0

    async def counted() -> int:
        split = await insights.get(
            "/insights/breakdown",
            metric="notification_latency",
            by="channel",
            start=week_start.isoformat(),
            end=(week_start + timedelta(days=6)).isoformat(),
        )
        return sum(row["stats"]["count"] for row in split["rows"] if row["stats"])

    await eventually(counted, lambda n: n == timed, what=f"{timed} timed deliveries")


async def test_only_staff_of_the_workspace_read_figures(insights: InsightsDriver) -> None:
    client = insights.client
    assert (await client.get("/insights/catalog")).status_code == 401
    member = insights.headers("acme", Role.MEMBER)
    assert (await client.get("/insights/catalog", headers=member)).status_code == 403
    approver = insights.headers("acme", Role.APPROVER)
    catalog = (await client.get("/insights/catalog", headers=approver)).json()
    assert {"mentions", "reply_time", "member_activity"} <= {m["name"] for m in catalog}
    settings = {"time_zone": "Europe/Paris"}
    manager = insights.headers("acme", Role.MANAGER)
    assert (
        await client.put("/insights/settings", json=settings, headers=manager)
    ).status_code == 403
    assert (await client.post("/insights/admin/rebuild", headers=manager)).status_code == 403


async def test_a_workspace_admin_who_does_not_operate_the_deployment_cannot_rebuild(
    insights: InsightsDriver,
) -> None:
    """A rebuild recomputes every workspace's figures: only admins of the operator
    workspaces (acme here) start one or read the projection's status."""
    globex_admin = insights.headers("globex", Role.ADMIN)
    rebuild = await insights.client.post("/insights/admin/rebuild", headers=globex_admin)
    assert rebuild.status_code == 403, rebuild.text
    assert "INSIGHTS_OPERATOR_WORKSPACES" in rebuild.json()["message"]
    status = await insights.client.get("/insights/admin/status", headers=globex_admin)
    assert status.status_code == 403
    assert (await insights.get_as("/insights/admin/status", Role.ADMIN))["generation"] == 1


async def test_questions_the_figures_cannot_answer_get_a_clear_422(
    insights: InsightsDriver,
) -> None:
    headers = insights.headers()
    base = {"start": "2026-10-01", "end": "2026-10-31"}
    bad = [
        ("/insights/series", {"metric": "nope"}, "unknown metric"),
        (
            "/insights/series",
            {"metric": "mentions", "filter": "colour:red"},
            "not kept by 'colour'",
        ),
        (
            "/insights/series",
            {"metric": "mentions", "granularity": "hour", "end": "2026-11-15"},
            "at most 31 days",
        ),
        ("/insights/series", {"metric": "mentions", "filter": "oops"}, "filter"),
        ("/insights/series", {"metric": "mentions", "end": "2026-09-01"}, "start"),
        (
            "/insights/series",
            {"metric": "mentions", "start": "0001-01-01", "end": "0001-01-02"},
            "start",
        ),
        ("/insights/overview", {"start": "9999-12-01", "end": "9999-12-31"}, "start"),
        (
            "/insights/breakdown",
            {"metric": "mentions", "by": "team", "filter": "tag:x"},
            "not kept together",
        ),
        (
            "/insights/series",
            {"metric": "member_activity", "filter": "member:x"},
            "distinct",
        ),
    ]
    for path, params, message in bad:
        response = await insights.client.get(path, params={**base, **params}, headers=headers)
        assert response.status_code == 422, (params, response.text)
        assert message in response.text, (params, response.text)
    far = await insights.client.post(
        "/insights/reports", json={"start": "9999-12-27"}, headers=headers
    )
    assert far.status_code == 422, far.text
    monday = await insights.client.post(
        "/insights/reports", json={"start": "2026-10-27"}, headers=headers
    )
    assert monday.status_code == 422
    assert "Monday" in monday.text
    response = await insights.client.put(
        "/insights/settings",
        json={"time_zone": "Mars/Olympus"},
        headers=insights.headers("acme", Role.ADMIN),
    )
    assert response.status_code == 422


async def test_csv_export_and_each_workspace_sees_its_own_figures(
    insights: InsightsDriver, events_publisher: EventPublisher
) -> None:
    await _loaded(insights, events_publisher)
    params = {"metric": "mentions", "start": START, "end": END, "compare": "true"}
    response = await insights.client.get(
        "/insights/export.csv", params=params, headers=insights.headers()
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "period,value,previous_period,previous_value"
    total = sum(int(line.split(",")[1]) for line in lines[1:])
    assert total == await insights.total("mentions", START, END)
    by = {"metric": "mentions", "by": "sentiment", "start": START, "end": END}
    rows = (
        await insights.client.get("/insights/export.csv", params=by, headers=insights.headers())
    ).text
    assert rows.splitlines()[0] == "sentiment,value,share,previous,change"
    assert sum(int(r.split(",")[1]) for r in rows.splitlines()[1:]) == total
    assert await insights.total("mentions", START, END, workspace="other") == 0.0
    overview = await insights.get("/insights/overview", start=START, end=END)
    assert overview["figures"]["mentions"]["value"] == total

    # Documents read above are kept while the workspace's stamp holds: new events renew it,
    # and every kind of read shows them.
    day = date.fromisoformat(START) + timedelta(days=2)
    extra = [e for n in range(3) for e in mention(10_000 + n, day, "mastodon", "negative")]
    await publish_all(events_publisher, extra)
    await insights.until_totals({"mentions": total + 3}, START, END)
    overview = await insights.get("/insights/overview", start=START, end=END)
    assert overview["figures"]["mentions"]["value"] == total + 3
    negative = await insights.get(
        "/insights/series", metric="mentions", start=START, end=END, filter="sentiment:negative"
    )
    assert negative["total"] == overview["figures"]["mentions_negative"]["value"]
    assert negative["points"][2]["value"] >= 3


async def test_a_weekly_report_is_announced_once_with_chart_images_in_both_languages(
    insights: InsightsDriver, events_publisher: EventPublisher
) -> None:
    await _loaded(insights, events_publisher)
    await _timed_deliveries_folded(insights, week_start=date(2026, 10, 26))
    body = {"start": "2026-10-26"}
    first = await insights.client.post("/insights/reports", json=body, headers=insights.headers())
    again = await insights.client.post("/insights/reports", json=body, headers=insights.headers())
    assert first.status_code == again.status_code == 200, first.text
    assert first.json() == again.json()
    report = first.json()
    mentions = next(f for f in report["figures"] if f["key"] == "mentions")
    week = Period(start=date(2026, 10, 26), end=date(2026, 11, 1))
    assert (
        mentions["value"]
        == (await insights.runner.projection().queries.series("acme", "mentions", week)).total
    )
    latency = next(f for f in report["figures"] if f["key"] == "notification_latency_p50")
    overview = await insights.get("/insights/overview", start="2026-10-26", end="2026-11-01")
    assert latency["value"] == overview["figures"]["notification_latency_p50"]["value"] > 0
    assert latency["unit"] == "seconds"
    assert latency["label"] == {
        "en": "Median time to notify",
        "fr": "Délai médian de notification",
    }

    records = await read_topic(
        insights.settings.kafka.bootstrap_servers, insights.runner.topics.topic(INSIGHTS)
    )
    assert len(records) == 1
    event = json.loads(records[0].value or b"{}")
    assert event["type"] == "insights.report_published.v1"
    assert event["data"]["roles"] == ["manager"]
    charts = {c["key"]: c for c in event["data"]["charts"]}
    assert set(charts) == {"mentions", "responsiveness", "community", "comparison"}
    for language in ("en", "fr"):
        url = urlsplit(charts["mentions"]["urls"][language])
        image = await insights.client.get(f"{url.path}?{url.query}")
        assert image.status_code == 200, image.text
        assert image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
    url = urlsplit(charts["community"]["urls"]["en"])
    forged = url.query.replace("token=", "token=x")
    assert (await insights.client.get(f"{url.path}?{forged}")).status_code == 403
    other_report = url.path.replace("2026-10-26", "2026-10-19")
    assert (await insights.client.get(f"{other_report}?{url.query}")).status_code == 403
    assert (await insights.client.get(url.path, headers=insights.headers())).status_code == 200
    assert (await insights.client.get(url.path)).status_code == 401
    listed = await insights.get("/insights/reports")
    assert [r["id"] for r in listed] == ["2026-10-26"]
    missing = await insights.client.get(
        "/insights/reports/2026-10-26", headers=insights.headers("other")
    )
    assert missing.status_code == 404


async def test_due_reports_are_made_once_by_the_timer(insights: InsightsDriver) -> None:
    body = {"time_zone": ZONE, "report": {"enabled": True, "weekday": 0, "hour": 0}}
    response = await insights.client.put(
        "/insights/settings", json=body, headers=insights.headers("acme", Role.ADMIN)
    )
    assert response.status_code == 200, response.text
    reports = insights.runner.projection().reports
    assert await reports.due_once() == 1
    assert await reports.due_once() == 0


async def test_the_operator_sees_the_generation_and_whether_streams_keep_their_history(
    insights: InsightsDriver,
) -> None:
    status = await insights.get_as("/insights/admin/status", Role.ADMIN)
    assert status["generation"] == 1
    assert status["streams"]
    assert all(stream["keeps_history"] for stream in status["streams"]), status["streams"]
