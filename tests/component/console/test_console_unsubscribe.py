"""The unsubscribe pages of people (notify) and community members (feedback), against the
real APIs on real sockets: GET shows and changes nothing, the form's POST unsubscribes,
forged and expired links get their page, French browsers read French."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.services.unsubscribe import PURPOSE, UnsubscribeLinks
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import MemberData, utcnow
from ensemble_shared.topics import MEMBERS
from support.console import CONSOLE_URL, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings
from support.notify import NotifyDriver, running_notify, serving


@dataclass
class Stack:
    console: ConsoleDriver
    notify: NotifyDriver
    feedback: Feedback

    def person_token(self, event: str = "mention.assigned.v1") -> str:
        secret = self.notify.settings.secret_key.get_secret_value()
        links = UnsubscribeLinks(Capabilities(secret, PURPOSE), self.notify.url, CONSOLE_URL)
        return links.token("acme", "camille", event, ChannelName.EMAIL)

    async def rules(self) -> list[dict[str, Any]]:
        mine = await self.notify.http.get("/me/preferences", headers=self.notify.person("camille"))
        assert mine.status_code == 200, mine.text
        rules: list[dict[str, Any]] = mine.json()["rules"]
        return rules

    async def member(self, consents: list[str]) -> tuple[str, dict[str, str]]:
        """A member's headers and its `status_changes` unsubscribe token (from its event)."""
        member_id, headers = await self.feedback.join("Ana", consents=consents)
        events = await self.feedback.events(MEMBERS)
        data = next(e.data for e in events if e.subject == member_id)
        assert isinstance(data, MemberData)
        path = data.unsubscribe_paths["status_changes"]
        return parse_qs(urlsplit(path).query)["token"][0], headers

    async def consents(self, headers: dict[str, str]) -> set[str]:
        me = await self.feedback.client.get("/members/me", headers=headers)
        return set(me.json()["consents"])


@pytest.fixture
async def stack(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Stack]:
    settings = feedback_settings(infra, unique_name("feedback"), issuer)
    async with (
        running_notify(infra, unique_name("notify"), issuer, console_url=CONSOLE_URL) as notify,
        serving(create_feedback_app(settings)) as feedback_url,
        httpx.AsyncClient(base_url=feedback_url, timeout=30) as feedback_http,
        running_console(notify_url=notify.url, feedback_url=feedback_url) as console,
    ):
        yield Stack(console, notify, Feedback(feedback_http, settings, issuer))


async def test_a_persons_link_shows_what_it_stops_and_only_the_button_unsubscribes(
    stack: Stack,
) -> None:
    token = stack.person_token()
    page = f"/hooks/unsubscribe/{token}"
    async with stack.console.browser() as browser:
        for _ in range(2):  # mail scanners fetch links: looking changes nothing
            shown = await browser.get(page)
            assert shown.status_code == 200, shown.text[:500]
            assert "mentions assigned to you" in shown.text
            assert "acme" in shown.text
            assert shown.headers["referrer-policy"] == "no-referrer"
        assert await stack.rules() == []
        done = await browser.submit(page, page, {})
    assert done.status_code == 200, done.text[:500]
    assert "You are unsubscribed" in done.text
    [rule] = await stack.rules()
    assert (rule["event"], rule["channel"], rule["enabled"]) == (
        "mention.assigned.v1",
        "email",
        False,
    )


async def test_a_members_link_shows_its_topic_and_only_the_button_unsubscribes(
    stack: Stack,
) -> None:
    token, headers = await stack.member(["status_changes", "ideas_followed"])
    page = f"/hooks/unsubscribe/members/{token}"
    async with stack.console.browser() as browser:
        for _ in range(2):
            shown = await browser.get(page)
            assert shown.status_code == 200, shown.text[:500]
            assert "status changes of your ideas" in shown.text
            assert "Stop these emails" in shown.text
        assert await stack.consents(headers) == {"status_changes", "ideas_followed"}
        refused = await browser.http.post(page, data={"csrf_token": "forged"})
        assert refused.status_code == 403
        assert await stack.consents(headers) == {"status_changes", "ideas_followed"}
        done = await browser.submit(page, page, {})
        assert done.status_code == 200, done.text[:500]
        assert "status changes of your ideas" in done.text
        assert await stack.consents(headers) == {"ideas_followed"}
        again = await browser.get(page)
    assert "You no longer receive these emails." in again.text
    assert "Stop these emails" not in again.text


async def test_forged_and_expired_links_get_a_page_that_says_so(stack: Stack) -> None:
    token = stack.person_token()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    secret = stack.notify.settings.secret_key.get_secret_value()
    expired = Capabilities(secret, PURPOSE).sign(
        {"ws": "acme", "sub": "camille", "ev": "*", "ch": "email"},
        expires=utcnow() - timedelta(days=1),
    )
    member_token, _ = await stack.member(["status_changes"])
    async with stack.console.browser() as browser:
        for path in (
            f"/hooks/unsubscribe/{forged}",
            "/hooks/unsubscribe/not-a-link-at-all",
            f"/hooks/unsubscribe/members/{member_token[:-4]}AAAA",
            "/hooks/unsubscribe/members/not-a-link-at-all",
            f"/hooks/unsubscribe/members/{token}",  # a person's link is no member's
        ):
            shown = await browser.get(path)
            assert shown.status_code == 404, (path, shown.text[:300])
            assert shown.headers["content-type"].startswith("text/html")
            assert "We do not recognise this link" in shown.text
        old = await browser.get(f"/hooks/unsubscribe/{expired}")
        assert old.status_code == 410
        assert "It has expired" in old.text
        posted = await browser.submit(
            f"/hooks/unsubscribe/{token}", f"/hooks/unsubscribe/{forged}", {}
        )
    assert posted.status_code == 404
    assert "We do not recognise this link" in posted.text
    assert await stack.rules() == []


async def test_a_french_browser_reads_the_page_and_the_confirmation_in_french(
    stack: Stack,
) -> None:
    page = f"/hooks/unsubscribe/{stack.person_token('*')}"
    async with stack.console.browser("fr-FR,fr;q=0.9") as browser:
        shown = await browser.get(page)
        assert '<html lang="fr"' in shown.text
        assert "toutes les notifications" in shown.text
        assert "Ne plus recevoir ces e-mails" in shown.text
        done = await browser.submit(page, page, {})
    assert "Vous êtes désabonné·e" in done.text
