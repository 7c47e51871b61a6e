"""The portal's field events (`/c/{workspace}/events`) with plain forms, in front of the real
identity (magic links through a real SMTP server) and feedback (real store and broker), on
the portal test's stack: anyone reads the events (past ones apart) and an event's page in its
own zone, in English and French, with its calendar file; a member takes a seat, sees their
own check-in code as a QR code (no one else does), gives the seat back, and after the event is
invited to give an idea tagged with it; twelve members race for ten seats and exactly ten are
confirmed, two waitlisted in order. Past events come twenty a page, older ones behind a link;
a member signs out from the portal and lands on its board."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from icalendar import Calendar

from component.console.test_console_portal import (
    PORTAL,
    Community,
    community,
    followed,
    notice_of,
)
from support.console import CONSOLE_URL, Browser, csrf_of

__all__ = ["community"]  # the portal test's module fixture: one stack for this module too

PARIS = "Europe/Paris"
STARTS = datetime(2030, 1, 15, 17, 0, tzinfo=UTC)  # 18:00 in Paris


async def plan(community: Community, title: str, starts: datetime, capacity: int) -> str:
    event = await community.api(
        "POST",
        "/field-events",
        title=title,
        description="Bring a broken toaster.",
        place={"name": "La Halle", "address": "1 rue de la Halle, Lyon"},
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=3)).isoformat(),
        timezone=PARIS,
        capacity=capacity,
    )
    event_id: str = event["id"]
    return event_id


async def enter(community: Community, email: str) -> Browser:
    """A member's own browser, signed in to the portal by the link emailed to `email`
    (closed by the caller)."""
    http = httpx.AsyncClient(
        transport=community.console.transport,
        base_url=CONSOLE_URL,
        headers={"accept-language": "en", "user-agent": "Mozilla/5.0 (test browser)"},
    )
    browser = Browser(http)
    asked = await browser.submit(
        f"{PORTAL}/sign-in", f"{PORTAL}/sign-in", {"email": email, "next": f"{PORTAL}/"}
    )
    assert asked.status_code == 200, asked.text[:300]
    token = await community.identity.link(email, "/magic/")
    signed_in = await browser.submit(f"/magic/{token}", f"/magic/{token}", {})
    assert signed_in.status_code == 303, signed_in.text[:300]
    return browser


@asynccontextmanager
async def member(community: Community, email: str) -> AsyncIterator[Browser]:
    browser = await enter(community, email)
    try:
        yield browser
    finally:
        await browser.http.aclose()


def place_of(page: str) -> str:
    """The member's place as the event page says it."""
    found = re.search(r'<p class="my-status"><strong>(.*?)</strong>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def code_of(page: str) -> str:
    found = re.search(r"<code>([A-Z0-9]+)</code>", page)
    return found.group(1) if found else ""


async def rsvp(browser: Browser, event: str, answer: str = "on") -> httpx.Response:
    return await browser.submit(event, f"{event}/rsvp", {"rsvp": answer})


async def test_anyone_reads_the_events_a_member_takes_a_seat_with_their_own_code_and_gives_it_back(
    community: Community,
) -> None:
    upcoming = await plan(community, "Repair café", STARTS, capacity=2)
    past = await plan(community, "Last year's picnic", datetime.now(UTC) - timedelta(days=2), 5)
    called_off = await plan(community, "Rained-off walk", STARTS + timedelta(hours=1), 5)
    await community.api("POST", f"/field-events/{called_off}/cancel")
    event = f"{PORTAL}/events/{upcoming}"
    async with community.console.browser() as anyone:
        listed = await anyone.get(f"{PORTAL}/events")
        assert listed.status_code == 200, listed.text[:500]
        coming, gone = listed.text.split('id="past"')
        assert f'href="{event}">Repair café</a>' in coming
        assert "Last year&#39;s picnic" in gone
        assert "Last year&#39;s picnic" not in coming
        assert "Seats left: 2 of 2" in coming
        walk = coming.split(f'href="{PORTAL}/events/{called_off}"')[1].split("</article>")[0]
        assert "<strong>Cancelled</strong>" in walk
        assert f'href="{PORTAL}/events">Events</a>' in listed.text  # in the portal's menu

        page = await anyone.get(event)
        assert page.status_code == 200, page.text[:500]
        assert '<meta property="og:title" content="Repair café · acme">' in page.text
        assert "Tuesday, January 15, 2030, 6:00\u202fPM" in page.text  # where it happens
        assert "(Europe/Paris)" in page.text
        assert "1 rue de la Halle, Lyon" in page.text
        assert "Taking a seat asks you to sign in" in page.text
        assert "<svg" not in page.text

        ics = await anyone.get(f"{event}/calendar.ics")
        assert ics.status_code == 200
        assert ics.headers["content-type"].startswith("text/calendar")
        vevent = Calendar.from_ical(ics.content).walk("VEVENT")[0]
        assert vevent.decoded("dtstart") == STARTS
        assert vevent.decoded("dtend") == STARTS + timedelta(hours=3)
        assert str(vevent["summary"]) == "Repair café"
        assert str(vevent["location"]) == "La Halle, 1 rue de la Halle, Lyon"
        assert str(vevent["url"]) == f"{CONSOLE_URL}{event}"

        assert (await anyone.get(f"{PORTAL}/events/nope")).status_code == 404
        assert (await anyone.get(f"{PORTAL}/events?cursor=made-up")).status_code == 400
        assert (await anyone.get(f"{PORTAL}/events/a%20b")).status_code == 400
        assert (await anyone.get(f"/c/other/events/{upcoming}")).status_code == 404
        signed_out = await anyone.submit(
            event, f"{event}/rsvp", {"rsvp": "on"}, referer=f"{CONSOLE_URL}{event}"
        )
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == f"{PORTAL}/sign-in?next={event}"

    async with community.console.browser("fr") as french:
        in_french = (await french.get(event)).text
        assert "mardi 15 janvier 2030, 18:00 \u2013 21:00" in in_french
        assert "Places restantes : 2 sur 2" in html.unescape(in_french)

    async with (
        member(community, "lou@fans.example") as lou,
        member(community, "max@fans.example") as max_,
    ):
        seated = await followed(lou, await rsvp(lou, event))
        assert notice_of(seated).startswith("You have a seat.")
        assert place_of(seated) == "Confirmed: you have a seat."
        assert '<svg role="img" aria-label="Your check-in code"' in seated
        first_code = code_of(seated)
        assert len(first_code) == 10
        again = await followed(lou, await rsvp(lou, event))
        assert code_of(again) == first_code  # asking twice answers the same

        theirs = await max_.get(event)
        assert first_code not in theirs.text
        assert "<svg" not in theirs.text
        assert "Seats left: 1 of 2" in theirs.text

        given_back = await followed(lou, await rsvp(lou, event, "off"))
        assert notice_of(given_back).startswith("Your RSVP is cancelled")
        assert place_of(given_back) == ""
        assert "I'm coming" in html.unescape(given_back)
        seated = await followed(lou, await rsvp(lou, event))
        code = code_of(seated)
        assert code
        assert code != first_code
        door = await community.api("POST", f"/field-events/{upcoming}/check-in", code=code)
        assert door["event_id"] == upcoming
        checked = await lou.get(event)
        assert "You are checked in." in checked.text
        assert "<svg" not in checked.text

        after = f"{PORTAL}/events/{past}"
        for shut in (after, f"{PORTAL}/events/{called_off}"):
            closed = await rsvp(lou, shut)
            assert closed.status_code == 409
            assert "it is over or cancelled" in closed.text
        invited = (await lou.get(after)).text
        assert "How was it?" in invited
        link = f"{PORTAL}/submit?tag=event%3A{past}"
        assert f'href="{link}"' in invited
        form = await lou.get(link)
        assert f'name="tag" value="event:{past}"' in form.text
        created = await lou.submit(
            link, f"{PORTAL}/submit", {"title": "A picnic every spring", "tag": f"event:{past}"}
        )
        assert created.status_code == 303, created.text[:300]
        idea = created.headers["location"].split("/ideas/")[1].split("?")[0]
        made = await community.api("GET", f"/submissions/{idea}")
        assert made["tags"] == [f"event:{past}"]
        forged = await lou.submit(link, f"{PORTAL}/submit", {"title": "Elsewhere", "tag": "x:1"})
        assert forged.status_code == 400


async def test_twelve_members_race_for_ten_seats_and_two_wait_in_order(
    community: Community,
) -> None:
    event_id = await plan(community, "Tasting night", STARTS + timedelta(days=1), capacity=10)
    event = f"{PORTAL}/events/{event_id}"
    async with asyncio.TaskGroup() as group:
        entering = [
            group.create_task(enter(community, f"racer{i}@fans.example")) for i in range(12)
        ]
    browsers = [task.result() for task in entering]
    try:
        forms = await asyncio.gather(*(b.get(event) for b in browsers))
        answers = await asyncio.gather(
            *(
                b.http.post(f"{event}/rsvp", data={"rsvp": "on", "csrf_token": csrf_of(f.text)})
                for b, f in zip(browsers, forms, strict=True)
            )
        )
        notices = [a.headers["location"].split("notice=")[1] for a in answers]
        assert sorted(notices).count("rsvp_confirmed") == 10
        assert sorted(notices).count("rsvp_waitlisted") == 2

        roster = await community.api("GET", f"/field-events/{event_id}/rsvps")
        places = [(r["status"], r["position"]) for r in roster["items"]]
        confirmed = [("confirmed", n) for n in range(1, 11)]
        assert places == [*confirmed, ("waitlisted", 1), ("waitlisted", 2)]

        pages = [p.text for p in await asyncio.gather(*(b.get(event) for b in browsers))]
        said = sorted(place_of(p) for p in pages)
        assert said == ["Confirmed: you have a seat."] * 10 + [
            "Waitlisted, position 1.",
            "Waitlisted, position 2.",
        ]
        first = browsers[[place_of(p) for p in pages].index("Waitlisted, position 1.")]
        second = browsers[[place_of(p) for p in pages].index("Waitlisted, position 2.")]
        codes = {code_of(p) for p in pages if code_of(p)}
        assert len(codes) == 10  # each their own

        leaving = browsers[[place_of(p) for p in pages].index("Confirmed: you have a seat.")]
        assert (await rsvp(leaving, event, "off")).status_code == 303
        promoted = (await first.get(event)).text
        assert place_of(promoted) == "Confirmed: you have a seat."
        assert code_of(promoted) not in codes
        assert place_of((await second.get(event)).text) == "Waitlisted, position 1."
    finally:
        await asyncio.gather(*(b.http.aclose() for b in browsers))


def past_titles(page: str) -> list[str]:
    """The past events listed on an events page, in order."""
    past = page.split('id="past"')[1]
    return [html.unescape(t) for t in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', past)]


async def test_past_events_come_twenty_a_page_the_latest_first_with_older_ones_behind_a_link(
    community: Community,
) -> None:
    now = datetime.now(UTC)
    planned = [f"Old meet-up {n:02d}" for n in range(23)]  # 00 is the latest
    for n, title in enumerate(planned):
        await plan(community, title, now - timedelta(days=400 + n), 5)
    async with community.console.browser() as anyone:
        shown: list[str] = []
        page = await anyone.get(f"{PORTAL}/events")
        for _ in range(5):
            assert page.status_code == 200, page.text[:500]
            titles = past_titles(page.text)
            assert len(titles) <= 20
            shown += titles
            older = re.search(r'href="([^"]+)#past">Older events</a>', page.text)
            if older is None:
                break
            assert len(titles) == 20
            page = await anyone.get(html.unescape(older.group(1)))
        assert len(shown) > 20
        assert len(shown) == len(set(shown))  # no event twice, none skipped below
        mine = [t for t in shown if t.startswith("Old meet-up")]
        assert mine == planned  # the latest first, across pages
        assert (await anyone.get(f"{PORTAL}/events?older=made-up")).status_code == 400

    async with community.console.browser("fr") as french:
        first = (await french.get(f"{PORTAL}/events")).text
        assert "Événements plus anciens</a>" in html.unescape(first)


async def test_a_member_signs_out_from_the_portal_back_to_its_board(
    community: Community,
) -> None:
    async with member(community, "sol@fans.example") as sol:
        page = await sol.get(f"{PORTAL}/events")
        assert f'<form method="post" action="{PORTAL}/sign-out"' in page.text
        forged = await sol.http.post(f"{PORTAL}/sign-out", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert (await sol.get(f"{PORTAL}/me")).status_code == 200  # still signed in
        kept = httpx.Cookies(sol.http.cookies)  # the session cookie as it was

        out = await sol.submit(f"{PORTAL}/events", f"{PORTAL}/sign-out", {})
        assert out.status_code == 303
        assert out.headers["location"] == f"{PORTAL}/?notice=signed_out"
        board = await followed(sol, out)
        assert notice_of(board) == "You are signed out."
        assert f'href="{PORTAL}/sign-in?next=' in board
        assert f'action="{PORTAL}/sign-out"' not in board
        gate = await sol.get(f"{PORTAL}/me")
        assert gate.headers["location"] == f"{PORTAL}/sign-in?next={PORTAL}/me"

    async with httpx.AsyncClient(
        transport=community.console.transport, base_url=CONSOLE_URL, cookies=kept
    ) as replayed:  # identity ended the session: the old cookie opens nothing
        again = await replayed.get(f"{PORTAL}/me")
        assert again.status_code == 303
        assert again.headers["location"] == f"{PORTAL}/sign-in?next={PORTAL}/me"
