"""Bad input never gets a 500: raw requests, as a careless client or a prober sends them, to the
real apps (in-process, real store and broker). Each class of input is refused at its root in
ensemble_shared (request JSON, storable datetimes, token comparison, bounded integers); these
tests send one instance of each class to the routes where probing found a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_insights.main import create_app as create_insights_app
from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support.apps import bearer, running
from support.feedback import Feedback
from support.ingest import Ingest
from support.insights_app import insights_settings
from support.scheduler import Scheduler

pytestmark = pytest.mark.timeout(120)

DEEP = 100_000
TOO_EARLY = "0001-01-01T00:30:00+05:00"  # year 0 in UTC
TOO_LATE = "9999-12-31T23:30:00-05:00"  # year 10000 in UTC
HUGE = str(2**64)


def refused(response: httpx.Response, *statuses: int) -> None:
    """A 4xx with a readable message: never a 500, never accepted."""
    assert response.status_code in (statuses or (400, 422)), (response.status_code, response.text)
    assert response.json().get("message"), response.text


def deep_array(depth: int = DEEP) -> bytes:
    return b"[" * depth + b"]" * depth


def deep_object(depth: int = DEEP) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def field_event(**changes: Any) -> dict[str, Any]:
    start = utcnow() + timedelta(days=2)
    return {
        "title": "Tasting night",
        "place": {"name": "Atelier", "address": "3 rue du Bac, Paris", "lat": 48.85, "lon": 2.32},
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 2,
        **changes,
    }


def draft(**changes: Any) -> dict[str, Any]:
    return {"kind": "post", "channel": "blog", "body": "Hello", **changes}


# (a) JSON nested thousands of levels deep, on JSON write routes and through the guard.


@pytest.mark.parametrize("body", [deep_array(), deep_object()], ids=["array", "object"])
async def test_json_nested_too_deep_is_refused_on_every_service(
    body: bytes, ingest: Ingest, feedback: Feedback, scheduler: Scheduler
) -> None:
    json_type = {"content-type": "application/json"}
    for client, path, headers in (
        (ingest.client, "/sources", ingest.admin),
        (ingest.client, "/triage/settings", ingest.admin),
        (feedback.client, "/field-events", feedback.manager),
        (feedback.client, "/workspaces/acme/members", {}),
        (scheduler.client, "/content", scheduler.admin),
    ):
        method = "PUT" if path == "/triage/settings" else "POST"
        response = await client.request(
            method, path, content=body, headers={**headers, **json_type}
        )
        refused(response)
        assert "deep" in response.json()["message"], response.text


# (f) Two Content-Type headers do not skip the operator guard.


async def test_a_second_content_type_header_does_not_skip_the_operator_guard(
    scheduler: Scheduler,
) -> None:
    headers = [
        *scheduler.admin.items(),
        ("content-type", "application/json"),
        ("content-type", "text/plain"),
    ]
    body = b'{"kind": "post", "channel": "blog", "body": "Hi", "tags": [{"$gt": ""}]}'
    response = await scheduler.client.post("/content", content=body, headers=headers)
    refused(response, 400)
    assert "one Content-Type" in response.json()["message"], response.text


# (b) Aware datetimes whose offset puts them outside years 1-9999 once in UTC.


@pytest.mark.parametrize("when", [TOO_EARLY, TOO_LATE])
async def test_a_datetime_outside_the_storable_years_is_refused(
    when: str, ingest: Ingest, feedback: Feedback, scheduler: Scheduler
) -> None:
    for name in ("since", "until"):
        refused(await ingest.client.get("/mentions", params={name: when}, headers=ingest.admin))
    start = field_event(starts_at=when, ends_at="9999-12-31T23:59:59+00:00")
    if when == TOO_LATE:
        start = field_event(ends_at=when)
    refused(await feedback.client.post("/field-events", json=start, headers=feedback.manager))
    refused(await scheduler.client.post("/content", json=draft(slot=when), headers=scheduler.admin))
    window = {"from": when, "to": "9999-12-31T00:00:00+00:00"}
    refused(await scheduler.client.get("/calendar", params=window, headers=scheduler.admin))


# (c) Non-ASCII text where a capability token or a code is compared.


async def test_non_ascii_tokens_and_codes_are_refused_not_crashed(
    feedback: Feedback, scheduler: Scheduler
) -> None:
    token = "é" * 40
    link = await scheduler.client.get(f"/approval-links/{token}")
    assert link.status_code in (400, 401, 404, 410), link.text
    decided = await scheduler.client.post(f"/approval-links/{token}", json={"decision": "approve"})
    assert decided.status_code in (400, 401, 404, 410, 422), decided.text
    feed = await scheduler.client.get("/calendar.ics", params={"token": token})
    assert feed.status_code in (400, 401, 403, 404, 410), feed.text

    created = await feedback.client.post(
        "/field-events", json=field_event(), headers=feedback.manager
    )
    assert created.status_code == 201, created.text
    event_id = created.json()["id"]
    _, ann = await feedback.join("Ann")
    seat = await feedback.client.post(f"/field-events/{event_id}/rsvp", headers=ann)
    assert seat.status_code == 200, seat.text
    check_in = await feedback.client.post(
        f"/field-events/{event_id}/check-in", json={"code": "ééééé"}, headers=feedback.manager
    )
    refused(check_in, 404)


# (d) Integers larger than the store holds (int64) in query and path parameters.


async def test_integers_beyond_int64_are_refused(scheduler: Scheduler) -> None:
    created = await scheduler.client.post("/content", json=draft(), headers=scheduler.admin)
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    for path, params in (
        (f"/content/{content_id}/versions", {"since": HUGE}),
        (f"/content/{content_id}/versions/{HUGE}", {}),
        (f"/content/{content_id}/versions/1/diff/{HUGE}", {}),
    ):
        response = await scheduler.client.get(path, params=params, headers=scheduler.admin)
        refused(response, 422)


# (e) Configuration: triage rules nested deeply, time zone names, publishing channels.


async def test_triage_rules_nested_deeply_are_refused(ingest: Ingest) -> None:
    for query in ("NOT " * 3_000 + "refund", "-" * 1_500 + "refund", "-" * 100 + "refund"):
        rule = {"name": "deep", "query": query, "actions": {"tags": ["x"]}}
        response = await ingest.client.put(
            "/triage/settings", json={"rules": [rule]}, headers=ingest.admin
        )
        refused(response, 422)


async def test_a_time_zone_name_that_is_a_directory_is_refused(
    feedback: Feedback, scheduler: Scheduler
) -> None:
    for name in ("America", "zone.tab"):
        plan = {"time_zone": name, "slots": [{"days": ["mon"], "at": "09:30"}]}
        refused(
            await scheduler.client.put(
                "/calendar/channels/blog", json=plan, headers=scheduler.admin
            ),
            422,
        )
        refused(
            await feedback.client.post(
                "/field-events", json=field_event(timezone=name), headers=feedback.manager
            ),
            422,
        )


@pytest.mark.parametrize(
    "account",
    [
        {"connector": "webhook", "base_url": "https://hooks.example/x", "secret": "whsec_é!"},
        {"connector": "webhook", "base_url": "https://hooks.example/x", "secret": "whsec_"},
        {"connector": "mastodon", "base_url": "https://m.example", "access_token": "a\nb"},
        {"connector": "mastodon", "base_url": "https://m.example", "access_token": "é"},
        {"connector": "mastodon", "base_url": "https://m.example:99999", "access_token": "t"},
        {"connector": "webhook", "base_url": "https://[::1", "secret": "whsec_MTIz"},
    ],
)
async def test_publishing_channel_configuration_is_validated(
    account: dict[str, Any], scheduler: Scheduler
) -> None:
    response = await scheduler.client.put(
        "/publishing/channels/blog", json=account, headers=scheduler.admin
    )
    refused(response, 422)


# Found by schemathesis (test_shared_openapi_fuzzing.py): a first day of year 1 reached back
# 29 days before it, an OverflowError.


async def test_an_insights_period_at_the_edge_of_the_calendar_is_refused(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = insights_settings(infra, unique_name("insights"), issuer)
    async with running(create_insights_app(settings)) as client:
        admin = bearer(issuer, "acme", Role.ADMIN)
        for path in ("/insights/overview", "/insights/timeline"):
            for params in ({"end": "0001-01-01"}, {"start": "9999-12-31", "end": "9999-12-31"}):
                refused(await client.get(path, params=params, headers=admin), 422)
