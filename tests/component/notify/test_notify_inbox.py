"""The in-app inbox: own items only, unread count, read receipts, and a live SSE stream read
by a real HTTP client over a real socket."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import httpx

from ensemble_shared.events.notifications import NotificationReadV1
from support.notify import NotifyDriver
from support.notify_events import an_assignment
from support.waiting import eventually


async def inbox(notify: NotifyDriver, person: str, **params: Any) -> dict[str, Any]:
    response = await notify.http.get("/inbox", params=params, headers=notify.person(person))
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def unread(notify: NotifyDriver, person: str) -> int:
    response = await notify.http.get("/inbox/unread-count", headers=notify.person(person))
    count: int = response.json()["unread"]
    return count


async def test_people_see_only_their_own_inbox_and_read_receipts_are_announced_once(
    notify: NotifyDriver,
) -> None:
    await notify.publish(*(an_assignment("camille") for _ in range(3)), an_assignment("lea"))
    await eventually(lambda: unread(notify, "camille"), lambda n: n == 3, what="3 for camille")
    first = await inbox(notify, "camille", limit=2)
    rest = await inbox(notify, "camille", limit=2, cursor=first["next_cursor"])
    items = first["items"] + rest["items"]
    assert len(items) == 3
    assert rest["next_cursor"] is None
    assert {i["person"] for i in items} == {"camille"}
    assert [i["created_at"] for i in items] == sorted(
        (i["created_at"] for i in items), reverse=True
    )
    assert [i["title"] for i in (await inbox(notify, "lea"))["items"]] == [
        "A mention was assigned to you"
    ]

    target = items[0]["id"]
    path = f"/inbox/{target}/read"
    assert (await notify.http.post(path, headers=notify.person("lea"))).status_code == 404
    other_workspace = notify.person("camille", workspace="globex")
    assert (await notify.http.post(path, headers=other_workspace)).status_code == 404
    first_read = await notify.http.post(path, headers=notify.person("camille"))
    again = await notify.http.post(path, headers=notify.person("camille"))
    assert (first_read.json()["newly_read"], again.json()["newly_read"]) == (True, False)
    assert first_read.json()["read_at"] == again.json()["read_at"]
    assert await unread(notify, "camille") == 2
    listed = {i["id"]: i["read_at"] for i in (await inbox(notify, "camille"))["items"]}
    assert listed[target] is not None
    assert sum(1 for at in listed.values() if at is None) == 2

    events = await eventually(
        notify.notifications,
        lambda n: any(isinstance(e, NotificationReadV1) for e in n),
        what="notification.read",
    )
    reads = [e for e in events if isinstance(e, NotificationReadV1)]
    assert len(reads) == 1
    assert (reads[0].subject, reads[0].data.person) == (target, "camille")
    assert (
        await notify.http.get(
            "/inbox", params={"cursor": "garbage"}, headers=notify.person("camille")
        )
    ).status_code == 422
    assert (await notify.http.get("/inbox")).status_code == 401


async def read_events(response: httpx.Response, into: asyncio.Queue[dict[str, str]]) -> None:
    """A minimal SSE parser: fields until a blank line make one event."""
    event: dict[str, str] = {}
    async for line in response.aiter_lines():
        if not line:
            if "data" in event or "event" in event:
                await into.put(event)
            event = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            event[field] = value.removeprefix(" ")


async def test_a_live_stream_receives_a_notification_created_after_connecting(
    notify: NotifyDriver,
) -> None:
    await notify.publish(an_assignment("camille"))  # one before: counted, not streamed
    await eventually(lambda: unread(notify, "camille"), lambda n: n == 1, what="first item")
    received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    async with (
        httpx.AsyncClient(base_url=notify.url, timeout=httpx.Timeout(30, read=60)) as client,
        client.stream("GET", "/inbox/stream", headers=notify.person("camille")) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = asyncio.create_task(read_events(response, received))
        try:
            hello = await asyncio.wait_for(received.get(), 20)
            assert hello["event"] == "unread"
            assert json.loads(hello["data"]) == {"unread": 1}

            event = an_assignment("camille")
            await notify.publish(an_assignment("lea"), event)  # lea's must not show up here
            got = await asyncio.wait_for(received.get(), 20)
            assert got["event"] == "notification"
            assert got["id"] == f"{event.id}:camille:in_app"
            item = json.loads(got["data"])
            assert (item["person"], item["title"], item["event_id"]) == (
                "camille",
                "A mention was assigned to you",
                event.id,
            )
            await asyncio.sleep(1.5)  # several polls: nothing repeated, nothing of lea's
            assert received.empty()
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    # Reconnecting with Last-Event-ID resumes after it: the next item only.
    later = an_assignment("camille")
    await notify.publish(later)
    await eventually(lambda: unread(notify, "camille"), lambda n: n == 3, what="third item")
    async with (
        httpx.AsyncClient(base_url=notify.url, timeout=httpx.Timeout(30, read=60)) as client,
        client.stream(
            "GET",
            "/inbox/stream",
            headers=notify.person("camille") | {"last-event-id": got["id"]},
        ) as response,
    ):
        resumed: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        reader = asyncio.create_task(read_events(response, resumed))
        try:
            assert (await asyncio.wait_for(resumed.get(), 20))["event"] == "unread"
            replayed = await asyncio.wait_for(resumed.get(), 20)
            assert replayed["id"] == f"{later.id}:camille:in_app"
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)


async def test_a_browser_opens_its_stream_with_a_ticket_that_is_good_for_nothing_else(
    notify: NotifyDriver,
) -> None:
    """EventSource cannot send headers: a short-lived ticket in the URL stands in for the
    bearer token on the stream only."""
    await notify.publish(an_assignment("camille"))
    await eventually(lambda: unread(notify, "camille"), lambda n: n == 1, what="first item")
    issued = await notify.http.post("/inbox/stream-tickets", headers=notify.person("camille"))
    assert issued.status_code == 201, issued.text
    ticket = issued.json()
    assert (await notify.http.post("/inbox/stream-tickets")).status_code == 401
    received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    async with (
        httpx.AsyncClient(base_url=notify.url, timeout=httpx.Timeout(30, read=60)) as client,
        client.stream("GET", ticket["url"]) as response,
    ):
        assert response.status_code == 200
        reader = asyncio.create_task(read_events(response, received))
        try:
            hello = await asyncio.wait_for(received.get(), 20)
            assert (hello["event"], json.loads(hello["data"])) == ("unread", {"unread": 1})
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
    # The ticket is not a bearer token, and a bearer token is not a ticket.
    as_bearer = {"authorization": f"Bearer {ticket['ticket']}"}
    assert (await notify.http.get("/inbox", headers=as_bearer)).status_code == 401
    bearer_token = notify.person("camille")["authorization"].removeprefix("Bearer ")
    refused = await notify.http.get("/inbox/stream", params={"ticket": bearer_token})
    assert refused.status_code == 401
    assert "stream ticket" in refused.json()["message"]
    forged = await notify.http.get("/inbox/stream", params={"ticket": ticket["ticket"] + "x"})
    assert forged.status_code == 401
    # Single use: the URL again (a browser's history, a proxy's log) opens nothing.
    again = await notify.http.get(ticket["url"])
    assert again.status_code == 401
    assert "used already" in again.json()["message"]


async def test_one_person_holds_a_few_live_streams_not_thousands(notify: NotifyDriver) -> None:
    camille = notify.person("camille")
    async with contextlib.AsyncExitStack() as streams:
        client = await streams.enter_async_context(
            httpx.AsyncClient(base_url=notify.url, timeout=httpx.Timeout(30, read=60))
        )
        first = await streams.enter_async_context(
            client.stream("GET", "/inbox/stream", headers=camille)
        )
        for _ in range(4):
            opened = await streams.enter_async_context(
                client.stream("GET", "/inbox/stream", headers=camille)
            )
            assert opened.status_code == 200
        refused = await client.get("/inbox/stream", headers=camille)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "5"
        other = await client.get("/inbox", headers=notify.person("lea"))
        assert other.status_code == 200
        async with client.stream("GET", "/inbox/stream", headers=notify.person("lea")) as lea:
            assert lea.status_code == 200  # the limit is per person
        await first.aclose()  # a tab closed gives its seat back

        async def reopened() -> int:
            async with client.stream("GET", "/inbox/stream", headers=camille) as response:
                return response.status_code

        assert await eventually(reopened, lambda status: status == 200, what="a seat back") == 200
