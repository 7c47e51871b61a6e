"""The console in-process (its real app, lifespan included) in front of identity and
scheduler served on real sockets, and a no-JavaScript "browser" that fills its forms."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from ensemble_console.config import ConsoleSettings
from ensemble_console.main import create_app

CONSOLE_URL = "https://console.example.org"  # identity's PUBLIC_URL in tests: links point here
SECRET = "console-test-secret-0123456789abcdef"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@dataclass
class Browser:
    """A browser without JavaScript: keeps cookies, follows nothing by itself, posts forms
    with the CSRF token of the page they are on (as a person's browser would)."""

    http: httpx.AsyncClient

    async def get(self, path: str, **headers: str) -> httpx.Response:
        return await self.http.get(path, headers=headers)

    async def submit(
        self, page: str, action: str, data: dict[str, Any], **headers: str
    ) -> httpx.Response:
        """Open `page`, then post its form at `action` with `data` and the page's token."""
        shown = await self.http.get(page, headers=headers)
        assert shown.status_code == 200, shown.text[:500]
        return await self.http.post(
            action, data={**data, "csrf_token": csrf_of(shown.text)}, headers=headers
        )


@dataclass
class ConsoleDriver:
    settings: ConsoleSettings
    transport: httpx.ASGITransport

    @asynccontextmanager
    async def browser(self, language: str = "en") -> AsyncIterator[Browser]:
        headers = {"accept-language": language, "user-agent": "Mozilla/5.0 (test browser)"}
        async with httpx.AsyncClient(
            transport=self.transport, base_url=CONSOLE_URL, headers=headers
        ) as http:
            yield Browser(http)


@asynccontextmanager
async def running_console(**urls: str) -> AsyncIterator[ConsoleDriver]:
    """`urls`: identity_url=…, scheduler_url=… (the APIs it calls)."""
    settings = ConsoleSettings(secret=SECRET, public_url=CONSOLE_URL, **urls)  # type: ignore[arg-type]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
        yield ConsoleDriver(settings, transport)
