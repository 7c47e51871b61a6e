"""Notify and feedback on real sockets with the console in front: the pages of emailed links
(unsubscribe, preferences) against the real APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app as create_feedback_app
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.services import preference_links
from ensemble_notify.services.unsubscribe import PURPOSE, UnsubscribeLinks
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import MemberData
from ensemble_shared.topics import MEMBERS
from support.console import CONSOLE_URL, ConsoleDriver, running_console
from support.feedback import Feedback, feedback_settings
from support.notify import NotifyDriver, running_notify, serving


@dataclass
class Stack:
    console: ConsoleDriver
    notify: NotifyDriver
    feedback: Feedback

    def capabilities(self, purpose: str) -> Capabilities:
        return Capabilities(self.notify.settings.secret_key.get_secret_value(), purpose)

    def preferences_token(self) -> str:
        links = preference_links.PreferenceLinks(
            self.capabilities(preference_links.PURPOSE), CONSOLE_URL
        )
        return links.token("acme", "camille")

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
