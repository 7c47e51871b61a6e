"""The community portal (`/c/{workspace}/…`) with plain forms (no JavaScript) in front of the
real identity (its magic-link mail to a real SMTP server) and feedback (real store and
broker), one stack for the module: anyone reads the board (new, top, trending, by status,
searched), an idea with its comments and the brand's answer, and the roadmap with its Atom
feed, in English and French; a member signs in by an emailed link, lands back where they
were, sees similar ideas before submitting, votes and takes the vote back, follows,
comments, and reads why moderation held or rejected their idea."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from support.console import CONSOLE_URL, Browser, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings
from support.identity import IdentityDriver, running_identity
from support.notify import serving
from support.notify_smtp import Mailbox

PORTAL = "/c/acme"
ATOM = "{http://www.w3.org/2005/Atom}"
MIA = "mia@fans.example"


@dataclass
class Community:
    console: ConsoleDriver
    identity: IdentityDriver
    feedback: Feedback
    ideas: dict[str, str]

    async def api(self, method: str, path: str, **body: Any) -> Any:
        """Feedback as a community manager (the test issuer's token)."""
        answer = await self.feedback.client.request(
            method, path, json=body or None, headers=self.feedback.manager
        )
        assert answer.status_code < 300, answer.text
        return answer.json()

    async def trusted(self, name: str) -> dict[str, str]:
        """A member whose writes are published at once: their headers."""
        member_id, headers = await self.feedback.join(name)
        await self.api("PUT", f"/members/{member_id}/trust", level="trusted")
        return headers

    async def idea(self, headers: dict[str, str], title: str, *voters: dict[str, str]) -> str:
        answer = await self.feedback.client.post(
            "/submissions", json={"kind": "idea", "title": title}, headers=headers
        )
        assert answer.status_code == 201, answer.text
        idea_id: str = answer.json()["submission"]["id"]
        for voter in voters:
            voted = await self.feedback.client.post(f"/submissions/{idea_id}/vote", headers=voter)
            assert voted.status_code == 200, voted.text
        return idea_id


@pytest.fixture(scope="module")
async def community(infra: Infra, issuer: LocalIssuer) -> AsyncIterator[Community]:
    """The workspace `acme`, three trusted members and their ideas: one planned with three
    votes and a comment, one open with one vote, one declined with the brand's answer, and
    "Dark mode" with none (the member's test votes for it)."""
    tag = secrets.token_hex(4)
    with Mailbox() as mailbox:
        async with running_identity(infra, f"t{tag}_identity", issuer, mailbox) as identity:
            jwks = f"{identity.url}/.well-known/jwks.json"
            settings = feedback_settings(
                infra, f"t{tag}_feedback", issuer, auth=issuer.settings(jwks_url=jwks)
            )
            async with (
                serving(create_feedback_app(settings)) as feedback_url,
                httpx.AsyncClient(base_url=feedback_url, timeout=30) as http,
                running_console(identity_url=identity.url, feedback_url=feedback_url) as console,
            ):
                await identity.setup("acme")
                stage = Community(console, identity, Feedback(http, settings, issuer), {})
                ana = await stage.trusted("Ana")
                bo = await stage.trusted("Bo")
                cy = await stage.trusted("Cy")
                maps = await stage.idea(ana, "Offline maps for hikers", ana, bo, cy)
                for status in ("under_review", "planned"):
                    await stage.api("POST", f"/submissions/{maps}/status", status=status)
                comment = await http.post(
                    f"/submissions/{maps}/comments",
                    json={"body": "Yes, for the mountains!"},
                    headers=bo,
                )
                assert comment.status_code == 201, comment.text
                shirts = await stage.idea(cy, "Free t-shirts for everyone")
                await stage.api(
                    "POST",
                    f"/submissions/{shirts}/status",
                    status="declined",
                    reason="Not something we can do, sorry",
                )
                export = await stage.idea(bo, "Export my data as CSV", bo)
                dark = await stage.idea(cy, "Dark mode for the app")
                stage.ideas.update(maps=maps, shirts=shirts, export=export, dark=dark)
                yield stage


def titles(page: str) -> list[str]:
    """The ideas' titles on a board page, in order."""
    return [
        html.unescape(t) for t in re.findall(r'<h2><a href="/c/acme/ideas/[^"]+">([^<]+)</a>', page)
    ]


def notice_of(page: str) -> str:
    found = re.search(r"<p class=\"notice\" role=\"status\">(.*?)</p>", page, re.S)
    return html.unescape(found.group(1).strip()) if found else ""


async def followed(browser: Browser, answer: httpx.Response) -> str:
    """A form's 303, followed: the page it leads to."""
    assert answer.status_code == 303, answer.text[:800]
    shown = await browser.get(answer.headers["location"])
    assert shown.status_code == 200, shown.text[:500]
    return shown.text


async def test_anyone_reads_the_board_an_idea_and_the_roadmap_in_english_and_french(
    community: Community,
) -> None:
    ideas = community.ideas
    async with community.console.browser() as browser:
        board = await browser.get(f"{PORTAL}/")
        assert board.status_code == 200, board.text[:500]
        assert '<html lang="en">' in board.text
        assert '<meta property="og:title" content="Ideas · acme">' in board.text
        assert 'href="/w/' not in board.text  # the public layout, not the staff menu
        on_board = titles(board.text)
        assert "Offline maps for hikers" in on_board
        assert "Free t-shirts for everyone" in on_board

        top = titles((await browser.get(f"{PORTAL}/?sort=top")).text)
        assert top.index("Offline maps for hikers") < top.index("Export my data as CSV")
        assert top.index("Export my data as CSV") < top.index("Dark mode for the app")
        newest = titles((await browser.get(f"{PORTAL}/?sort=new")).text)
        assert newest.index("Dark mode for the app") < newest.index("Offline maps for hikers")
        planned = titles((await browser.get(f"{PORTAL}/?status=planned")).text)
        assert planned == ["Offline maps for hikers"]
        found = titles((await browser.get(f"{PORTAL}/?q=maps+for+hiking")).text)
        assert found == ["Offline maps for hikers"]
        assert (await browser.get(f"{PORTAL}/?sort=loudest")).status_code == 400
        assert (await browser.get(f"{PORTAL}/?status=shipped")).status_code == 400

        idea = await browser.get(f"{PORTAL}/ideas/{ideas['maps']}")
        assert idea.status_code == 200
        assert "Votes: 3" in idea.text
        assert "Yes, for the mountains!" in idea.text
        assert "<strong>Planned</strong>" in idea.text
        way = idea.text.split('<ol class="history">')[1].split("</ol>")[0]
        assert re.findall(r"<li>(\w[\w ]*) ·", way) == ["Open", "Under review", "Planned"]
        assert "Voting, following and commenting ask you to sign in" in idea.text
        declined = await browser.get(f"{PORTAL}/ideas/{ideas['shirts']}")
        assert "The brand's answer: Not something we can do, sorry" in html.unescape(declined.text)
        assert (await browser.get(f"{PORTAL}/ideas/nope")).status_code == 404
        assert (await browser.get("/c/other/ideas/" + ideas["maps"])).status_code == 404

        roadmap = await browser.get(f"{PORTAL}/roadmap")
        assert roadmap.status_code == 200
        planned_column = roadmap.text.split('id="col-planned"')[1].split("</section>")[0]
        assert "Offline maps for hikers" in planned_column
        assert 'type="application/atom+xml"' in roadmap.text

        feed = await browser.get(f"{PORTAL}/roadmap.atom")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(feed.content)  # noqa: S314 (our own feed)
        assert root.tag == f"{ATOM}feed"
        assert root.findtext(f"{ATOM}id") == "https://console.example.org/c/acme/roadmap"
        assert datetime.fromisoformat(root.findtext(f"{ATOM}updated") or "").tzinfo is not None
        entries = root.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Planned: Offline maps for hikers"]
        entry = entries[0]
        assert entry.findtext(f"{ATOM}id", "").endswith(f"/ideas/{ideas['maps']}#planned")
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "").tzinfo is not None
        assert entry.findtext(f"{ATOM}summary") == "Votes: 3"

    async with community.console.browser("fr") as browser:
        board = await browser.get(f"{PORTAL}/")
        assert '<html lang="fr">' in board.text
        assert "Les idées de la communauté acme" in board.text
        assert "Proposer une idée" in board.text
        idea = await browser.get(f"{PORTAL}/ideas/{ideas['maps']}")
        assert "Votes : 3" in idea.text
        declined = await browser.get(f"{PORTAL}/ideas/{ideas['shirts']}")
        answer = "La réponse de la marque : Not something we can do, sorry"
        assert answer in html.unescape(declined.text)
        roadmap = await browser.get(f"{PORTAL}/roadmap")
        assert "<h1>Feuille de route</h1>" in roadmap.text
        french_feed = ET.fromstring((await browser.get(f"{PORTAL}/roadmap.atom")).content)  # noqa: S314
        assert french_feed.findtext(f"{ATOM}title") == "Feuille de route de acme"


async def test_a_member_signs_in_by_link_submits_after_seeing_similar_votes_follows_comments(
    community: Community,
) -> None:
    dark = community.ideas["dark"]
    async with community.console.browser() as browser:
        gate = await browser.get(f"{PORTAL}/submit")
        assert gate.status_code == 303
        assert gate.headers["location"] == f"{PORTAL}/sign-in?next={PORTAL}/submit"
        forged = await browser.http.post(f"{PORTAL}/ideas/{dark}/vote", data={"csrf_token": "x"})
        assert forged.status_code == 403
        idea_url = f"{CONSOLE_URL}{PORTAL}/ideas/{dark}"
        signed_out = await browser.submit(
            f"{PORTAL}/ideas/{dark}",
            f"{PORTAL}/ideas/{dark}/vote",
            {"vote": "on"},
            referer=idea_url,
        )
        assert signed_out.status_code == 303  # the vote waits for a sign-in, then this page
        assert signed_out.headers["location"] == f"{PORTAL}/sign-in?next={PORTAL}/ideas/{dark}"

        asked = await browser.submit(
            f"{PORTAL}/sign-in?next={PORTAL}/submit",
            f"{PORTAL}/sign-in",
            {"email": MIA, "next": f"{PORTAL}/submit"},
        )
        assert asked.status_code == 200, asked.text[:500]
        assert f"a sign-in link is on its way to {MIA}" in asked.text
        token = await community.identity.link(MIA, "/magic/")
        signed_in = await browser.submit(f"/magic/{token}", f"/magic/{token}", {})
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == f"{PORTAL}/submit?notice=welcome"

        checked = await browser.get(f"{PORTAL}/submit?title=Dark+theme+for+the+app&body=")
        assert checked.status_code == 200
        assert "Similar ideas: vote for one instead?" in checked.text
        assert f'href="{PORTAL}/ideas/{dark}">Dark mode for the app</a>' in checked.text
        typed = await browser.get(f"{PORTAL}/submit/similar?title=dark+mode")
        assert "Dark mode for the app" in typed.text
        assert "<html" not in typed.text  # the list alone, for htmx to swap in
        short = await browser.submit(f"{PORTAL}/submit", f"{PORTAL}/submit", {"title": "Hi"})
        assert short.status_code == 422

        created = await browser.submit(
            f"{PORTAL}/submit",
            f"{PORTAL}/submit",
            {"title": "Dark theme for the app at night", "body": "Easier on the eyes."},
        )
        mine = await followed(browser, created)
        assert notice_of(mine).startswith("Thank you! Your idea waits for a moderator")
        assert "Only you can see this idea for now" in mine
        mine_id = created.headers["location"].split("/ideas/")[1].split("?")[0]

        idea = f"{PORTAL}/ideas/{dark}"
        voted = await followed(browser, await browser.submit(idea, f"{idea}/vote", {"vote": "on"}))
        assert notice_of(voted) == "Your vote counts."
        assert "Votes: 1" in voted
        again = await followed(browser, await browser.submit(idea, f"{idea}/vote", {"vote": "on"}))
        assert "Votes: 1" in again  # once per member
        taken = await followed(browser, await browser.submit(idea, f"{idea}/vote", {"vote": "off"}))
        assert notice_of(taken) == "Your vote is taken back."
        assert "Votes: 0" in taken
        voted = await followed(browser, await browser.submit(idea, f"{idea}/vote", {"vote": "on"}))
        assert "Votes: 1" in voted
        on_held = await browser.submit(
            f"{PORTAL}/ideas/{mine_id}", f"{PORTAL}/ideas/{mine_id}/vote", {"vote": "on"}
        )
        assert on_held.status_code == 409
        assert "waits for a moderator" in on_held.text

        following = await followed(
            browser, await browser.submit(idea, f"{idea}/follow", {"follow": "on"})
        )
        assert notice_of(following).startswith("You follow this idea")
        commented = await followed(
            browser, await browser.submit(idea, f"{idea}/comments", {"body": "I want this too"})
        )
        assert notice_of(commented) == "Your comment waits for a moderator before it is published."
        assert "I want this too" not in commented  # held: not public yet

        async with community.console.browser() as anonymous:
            assert (await anonymous.get(f"{PORTAL}/ideas/{mine_id}")).status_code == 404
            public = await anonymous.get(f"{PORTAL}/ideas/{dark}")
            assert "Votes: 1" in public.text

        queue = await community.api("GET", "/moderation/queue")
        assert mine_id in {i["ref"] for i in queue["items"]}
        await community.api(
            "POST", f"/moderation/items/submission:{mine_id}/reject", reason="Already on the board"
        )
        rejected = await browser.get(f"{PORTAL}/ideas/{mine_id}")
        assert rejected.status_code == 200, rejected.text[:300]
        assert "The moderators did not publish this idea." in rejected.text
        assert "Their reason: Already on the board" in rejected.text
