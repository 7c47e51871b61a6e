"""My notifications and notify's admin pages without JavaScript (plain forms), against the
real identity and notify: the in-app inbox with its unread count and mark read, preferences
as one form (other rules kept), endpoints with the secret shown once on create and rotate
and their circuit breaker, and the delivery log with a replay and its progress."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from ensemble_notify.models.deliveries import AttemptResult
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.storage.breaker import BreakerLog
from ensemble_notify.wiring import breaker_settings
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.console_ops import Ops
from support.notify_events import an_assignment
from support.receiver import Receiver
from support.waiting import eventually

SECRET = re.compile(r'<code id="new-secret">(whsec_[^<]+)</code>')


async def unread(ops: Ops) -> int:
    answer = await ops.notify.http.get(
        "/inbox/unread-count", headers=ops.notify.person(ops.admin_id)
    )
    count: int = answer.json()["unread"]
    return count


def received(receiver: Receiver) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return len(receiver.received)

    return count


async def trip_breaker(ops: Ops, endpoint_id: str) -> None:
    """Another replica of notify sees the endpoint fail as often as opens its breaker; every
    replica reads the transition it stores."""
    settings = ops.notify.settings
    client = create_client(MongoSettings(url=settings.mongo.url))
    try:
        rules = breaker_settings(settings)
        breakers = Breakers(BreakerLog(client[settings.database]), rules, owner="another replica")
        for _ in range(settings.breaker_failure_threshold):
            failure = AttemptResult(status_code=503, latency_ms=12.0)
            await breakers.record("acme", endpoint_id, failure, probe=False)
    finally:
        client.close()


async def my_rules(ops: Ops) -> dict[str, Any]:
    answer = await ops.notify.http.get("/me/preferences", headers=ops.notify.person(ops.admin_id))
    preferences: dict[str, Any] = answer.json()
    return preferences


async def test_my_inbox_shows_the_unread_count_and_marks_one_read(ops: Ops) -> None:
    async with ops.admin() as browser:
        before = await unread(ops)
        await ops.notify.publish(an_assignment(ops.admin_id), an_assignment(ops.admin_id))
        await eventually(
            lambda: unread(ops), lambda n: n == before + 2, what="two unread", timeout=90
        )
        for _ in range(2):  # looking changes nothing
            shown = await browser.get("/w/acme/notifications")
            assert shown.status_code == 200
            assert f"Unread: {before + 2}" in shown.text
        assert await unread(ops) == before + 2
        first = re.search(r'action="/w/acme/notifications/([^/"]+)/read"', shown.text)
        assert first, "a mark-read button"
        assert "mentions assigned to you" in shown.text
        read = await browser.submit(
            "/w/acme/notifications", f"/w/acme/notifications/{first.group(1)}/read", {}
        )
        assert read.headers["location"] == "/w/acme/notifications?notice=notification_read"
        after = await browser.get(read.headers["location"])
        assert "The notification is marked read." in after.text
        assert f"Unread: {before + 1}" in after.text
        assert await unread(ops) == before + 1
        assert (await browser.get("/w/acme/notifications?cursor=garbage")).status_code == 400


async def test_my_preferences_are_one_form_that_keeps_the_rules_it_does_not_show(
    ops: Ops,
) -> None:
    async with ops.admin("fr") as browser:
        await browser.get("/w/acme/")
        kept = {"event": "mention.assigned.v1", "channel": "email", "enabled": False}
        put = await ops.notify.http.put(
            "/me/preferences", json={"rules": [kept]}, headers=ops.notify.person(ops.admin_id)
        )
        assert put.status_code == 200, put.text
        page = "/w/acme/notifications/preferences"
        shown = await browser.get(page)
        assert "Mes préférences de notification" in shown.text
        assert "Par défaut" in shown.text
        saved = await browser.submit(
            page,
            page,
            {
                "pref:mention.*:email": "daily",
                "pref:*:slack": "off",
                "quiet": "on",
                "quiet_start": "22:00",
                "quiet_end": "07:30",
            },
        )
        assert saved.headers["location"] == f"{page}?notice=notification_preferences_saved"
        preferences = await my_rules(ops)
        rules = {(r["event"], r["channel"]): r for r in preferences["rules"]}
        assert set(rules) == {
            ("mention.assigned.v1", "email"),
            ("mention.*", "email"),
            ("*", "slack"),
        }
        assert rules[("mention.*", "email")]["delivery"] == "daily"
        assert rules[("*", "slack")]["enabled"] is False
        assert rules[("mention.assigned.v1", "email")]["enabled"] is False
        assert preferences["quiet_hours"]["start"] == "22:00:00"
        again = await browser.get(page)
        assert again.text.count("selected>Récapitulatif quotidien") == 1
        assert 'value="07:30"' in again.text
        for bad in ({"pref:*:email": "sometimes"}, {"quiet_start": "08:00", "quiet_end": "08:00"}):
            refused = await browser.submit(
                page, page, {"quiet_start": "22:00", "quiet_end": "07:00", **bad}
            )
            assert refused.status_code == 422
            assert "Choisissez dans les listes" in refused.text
        assert (await my_rules(ops))["rules"] == preferences["rules"]


async def test_an_admin_adds_an_endpoint_rotates_its_secret_and_replays_a_delivery(
    ops: Ops,
) -> None:
    with Receiver() as receiver:
        async with ops.admin() as browser:
            page = "/w/acme/admin/endpoints"
            created = await browser.submit(
                page, page, {"url": receiver.url, "events": "mention.assigned.v1"}
            )
            assert created.status_code == 201, created.text[:500]
            first = SECRET.search(created.text)
            assert first, "the new endpoint's secret, shown once"
            listed = await browser.get(page)
            assert first.group(1) not in listed.text
            endpoint = re.search(r'action="/w/acme/admin/endpoints/([^/"]+)/rotate"', listed.text)
            assert endpoint, "a rotate button"
            rotated = await browser.submit(
                page, f"{page}/{endpoint.group(1)}/rotate", {"grace_hours": "1"}
            )
            second = SECRET.search(rotated.text)
            assert second, "the new secret, shown once"
            assert second.group(1) != first.group(1)
            assert rotated.text.count("until ") == 1  # the old secret expires in an hour

            await ops.notify.publish(an_assignment("camille"))
            await eventually(received(receiver), lambda n: n == 1, what="a webhook", timeout=90)
            log = "/w/acme/admin/deliveries?status=delivered"
            delivery = await eventually(
                lambda: browser.get(log),
                lambda r: receiver.url in r.text,
                what="the delivery in the log",
                timeout=90,
            )
            replay = re.search(r'action="/w/acme/admin/deliveries/([^/"]+)/replay"', delivery.text)
            assert replay, "a replay button"
            started = await browser.submit(
                log, f"/w/acme/admin/deliveries/{replay.group(1)}/replay", {}
            )
            progress = started.headers["location"]
            assert progress.startswith("/w/acme/admin/deliveries?replay=")
            await eventually(received(receiver), lambda n: n == 2, what="the replay", timeout=90)
            finished = await eventually(
                lambda: browser.get(progress), lambda r: "Replay: finished" in r.text, what="done"
            )
            assert "1 delivered again, 0 failed" in finished.text

            # The delivery's page: its attempt (answer, latency) and the replay made of it.
            original = f"/w/acme/admin/deliveries/{replay.group(1)}"
            assert f'href="{original.replace(":", "%3A")}"' in delivery.text
            detail = (await browser.get(original)).text
            attempt = re.search(r"<tbody>\s*<tr>(.*?)</tr>", detail, re.S)
            assert attempt, "an attempt row"
            assert re.search(r"<td>1</td>\s*<td>Delivered</td>\s*<td>204</td>", attempt.group(1))
            assert re.search(r"<td>[\d,.]+ ms</td>", attempt.group(1))
            again = re.search(r'<li><a href="(/w/acme/admin/deliveries/[^"]+)">', detail)
            assert again, "the replay, listed"
            replayed = (await browser.get(again.group(1))).text
            assert "A replay of" in replayed
            assert f'href="{original.replace(":", "%3A")}"' in replayed
            assert (await browser.get(f"{log.split('?')[0]}/no-such-delivery")).status_code == 404

            # Everything sent to the endpoint since a time, again, from its page.
            own = f"{page}/{endpoint.group(1)}"
            bad_time = await browser.submit(own, f"{own}/replay", {"since": "last week"})
            assert bad_time.status_code == 422
            assert 'id="replay-since" name="since" type="datetime-local" value="last week"' in (
                bad_time.text
            )
            assert "A date and time this endpoint can be replayed from" in bad_time.text
            since = await browser.submit(own, f"{own}/replay", {"since": "2000-01-01T00:00"})
            assert since.headers["location"].startswith("/w/acme/admin/deliveries?replay=")
            await eventually(received(receiver), lambda n: n > 2, what="sent again", timeout=90)
            await eventually(
                lambda: browser.get(since.headers["location"]),
                lambda r: "Replay: finished" in r.text,
                what="the endpoint's replay finished",
            )

            disabled = await browser.submit(
                page, f"{page}/{endpoint.group(1)}/enabled", {"enabled": "off"}
            )
            assert disabled.headers["location"] == f"{page}?notice=endpoint_disabled"
            refused = await browser.submit(own, f"{own}/replay", {"since": "2000-01-01T00:00"})
            assert refused.status_code == 409  # notify: enable it before replaying to it
            bad = await browser.submit(page, page, {"url": "ftp://example.org/x"})
            assert bad.status_code == 422

            # The endpoint's own page shows its circuit breaker: closed, then open and why.
            assert f'href="{own}"' in (await browser.get(page)).text
            closed = await browser.get(own)
            assert closed.status_code == 200
            assert "Closed: deliveries flow" in closed.text
            assert "It never tripped." in closed.text
            await trip_breaker(ops, endpoint.group(1))
            tripped = (await browser.get(own)).text
            assert "Open: deliveries wait" in tripped
            assert "Deliveries wait until" in tripped
            assert "last: HTTP 503" in tripped
            assert (await browser.get(f"{page}/no-such-endpoint")).status_code == 404
