"""The navigation's unread count against the real identity and notify: drawn on every staff
page with one call to notify (none more on the notifications page, which shows it too), in
both languages; absent, the page still served, when notify is down; and the console's live
stream of it (a real socket: an event stream is read as it comes), which only ever tells the
signed-in person their own count and refuses anyone not signed in."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from ensemble_console.clients.notify import NotifyClient
from ensemble_console.web import unread as nav_unread
from ensemble_devtools.processes import free_port
from support.console import running_console
from support.console_ops import SESSION_COOKIE, Ops
from support.notify import serving
from support.notify_events import an_assignment
from support.waiting import eventually

COUNT = re.compile(r'id="nav-unread" aria-live="polite" data-count="(\d*)"')


async def unread(ops: Ops, person: str) -> int:
    answer = await ops.notify.http.get("/inbox/unread-count", headers=ops.notify.person(person))
    count: int = answer.json()["unread"]
    return count


async def notified(ops: Ops, person: str, more: int) -> int:
    """`more` notifications for `person` published to notify; their count once all arrived."""
    before = await unread(ops, person)
    await ops.notify.publish(*(an_assignment(person) for _ in range(more)))
    return await eventually(
        lambda: unread(ops, person), lambda n: n == before + more, what="the notifications"
    )


def shown_count(html: str) -> str:
    found = COUNT.search(html)
    assert found, "no unread count region in the navigation"
    return found.group(1)


def admin_session(ops: Ops) -> str:
    assert ops.admin_cookies is not None
    return next(str(c.value) for c in ops.admin_cookies.jar if c.name == SESSION_COOKIE)


def recorded_calls(ops: Ops, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the console asks notify for, from now on (the real calls are made)."""
    client: NotifyClient = ops.console.transport.app.state.clients.notify  # type: ignore[attr-defined]
    real = client.as_person
    paths: list[str] = []

    async def recording(caller: Any, workspace: str, method: str, path: str, **kw: Any) -> Any:
        paths.append(path)
        return await real(caller, workspace, method, path, **kw)

    monkeypatch.setattr(client, "as_person", recording)
    return paths


async def test_every_staff_page_shows_my_unread_count_with_one_call_to_notify(
    ops: Ops, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with ops.admin() as browser:
        count = await notified(ops, ops.admin_id, 2)
        calls = recorded_calls(ops, monkeypatch)
        home = await browser.get("/w/acme/")
        assert home.status_code == 200
        assert shown_count(home.text) == str(count)
        assert f"Unread notifications: {count}</span>" in home.text
        assert 'data-live="/w/acme/notifications/live"' in home.text
        assert calls == ["/inbox/unread-count"]

        calls.clear()
        page = await browser.get("/w/acme/notifications")
        assert shown_count(page.text) == str(count)
        assert f"Unread: {count}" in page.text  # the page's own count is the navigation's
        assert sorted(calls) == ["/inbox", "/inbox/unread-count"]

        calls.clear()
        read = re.search(r'action="/w/acme/notifications/([^/"]+)/read"', page.text)
        assert read
        marked = await browser.submit(
            "/w/acme/notifications", f"/w/acme/notifications/{read.group(1)}/read", {}
        )
        assert marked.status_code == 303
        assert calls.count("/inbox/unread-count") == 1  # the form's page; its redirect none
    async with ops.admin("fr") as browser:
        french = await browser.get("/w/acme/")
        assert f"Notifications non lues : {count - 1}</span>" in french.text


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """An address that accepts connections and never answers (a notify that hangs)."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the console gives up and closes
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def test_without_notify_every_page_opens_and_shows_no_count(ops: Ops) -> None:
    async with ops.admin() as signed:
        cookies = httpx.Cookies(signed.http.cookies)
    refused = f"http://127.0.0.1:{free_port()}"  # nothing listens: notify is down
    async with silent_server() as hanging:
        for notify in (refused, hanging):
            async with (
                running_console(identity_url=ops.identity.url, notify_url=notify) as console,
                console.browser() as browser,
            ):
                browser.http.cookies = cookies
                for path in ("/w/acme/", "/w/acme/account"):
                    began = time.monotonic()
                    page = await browser.get(path)
                    assert page.status_code == 200, page.text[:300]
                    assert time.monotonic() - began < nav_unread.TIMEOUT_SECONDS + 4
                    assert shown_count(page.text) == ""
                    assert "Unread notifications" not in page.text
                if notify == refused:  # the page that needs notify says it is unavailable
                    assert (await browser.get("/w/acme/notifications")).status_code == 503


@asynccontextmanager
async def console_socket(ops: Ops) -> AsyncIterator[httpx.AsyncClient]:
    """The ops console's app (already started) on a real socket."""
    async with (
        serving(ops.console.transport.app, lifespan="off") as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        yield http


async def counts(
    http: httpx.AsyncClient, session: str | None, path: str
) -> AsyncGenerator[int, None]:
    """The `unread` events of the stream at `path`, as `session` opens it."""
    headers = {"accept": "text/event-stream"}
    if session is not None:
        headers["cookie"] = f"{SESSION_COOKIE}={session}"
    async with http.stream("GET", path, headers=headers) as answer:
        assert answer.status_code == 200, await answer.aread()
        assert answer.headers["content-type"].startswith("text/event-stream")
        kind = ""
        async for line in answer.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "unread":
                data = json.loads(line.removeprefix("data: "))
                assert f"Unread notifications: {data['unread']}" in data["html"]
                yield int(data["unread"])


async def test_the_live_count_is_my_own_and_follows_new_notifications(ops: Ops) -> None:
    async with ops.admin():
        mine = await notified(ops, ops.admin_id, 1)
    session = admin_session(ops)
    colleague = await ops.identity.join(session, "bo.live@acme.example", ["approver"])
    live = "/w/acme/notifications/live"
    async with console_socket(ops) as http:
        refused = await http.get(live, headers={"accept": "text/event-stream"})
        assert refused.status_code == 303  # not signed in: the sign-in page, no stream
        assert refused.headers["location"].startswith("/sign-in?next=")
        elsewhere = await http.get(
            "/w/elsewhere/notifications/live", headers={"cookie": f"{SESSION_COOKIE}={colleague}"}
        )
        assert elsewhere.status_code == 404  # no place there

        theirs = counts(http, colleague, f"{live}?person={ops.admin_id}")
        async with asyncio.timeout(30):
            assert await anext(theirs) == 0  # their own inbox, whatever the address says
        await theirs.aclose()

        stream = counts(http, session, live)
        async with asyncio.timeout(30):
            assert await anext(stream) == mine
        await ops.notify.publish(an_assignment(ops.admin_id))
        async with asyncio.timeout(90):
            assert await anext(stream) == mine + 1  # no reload: the stream said so
        await stream.aclose()
