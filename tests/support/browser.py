"""A real browser for the page stories: Debian's Chromium driven by Playwright, one per pytest
session; every page visited is audited by axe-core (0 serious or critical violations) and
photographed.

axe-core is evaluated through DevTools, not injected as an inline <script> (which the
pages' CSP refuses, as it should). Screenshots go to $ENSEMBLE_SCREENSHOTS, else
`<pytest's base temp>/screenshots`. Violations of the pages' Content-Security-Policy reported by the
browser fail the story too: the pages must work without inline scripts.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from ensemble_devtools.browsers import LAUNCH_ARGS, axe_script, chromium

SERIOUS = ("serious", "critical")


@dataclass
class Camera:
    """Audits and photographs pages; remembers what each page's console said about CSP."""

    folder: Path
    axe: str
    taken: list[Path] = field(default_factory=list)

    async def check(self, page: Page, name: str) -> None:
        """axe-core on the page as it stands (0 serious/critical), then a full-page shot."""
        await page.wait_for_load_state("load")
        # Not `add_script_tag`: an inline <script> is what our CSP forbids. A DevTools
        # evaluation runs beside the page's policy without weakening it for the page.
        if not await page.evaluate("typeof window.axe === 'object'"):
            await page.evaluate(self.axe)
        result: dict[str, Any] = await page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
        serious = [v for v in result["violations"] if v.get("impact") in SERIOUS]
        summary = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["html"] for n in v["nodes"][:3]]}
            for v in serious
        ]
        assert not serious, f"{name}: axe found\n{json.dumps(summary, indent=2)}"
        path = self.folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


def watch_csp(page: Page, problems: list[str]) -> None:
    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            where = message.location
            problems.append(
                f"{page.url} {where.get('url')}:{where.get('lineNumber')}: {message.text}"
            )

    page.on("console", seen)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium for the session (a fresh profile: Playwright makes a temporary one)."""
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(executable), args=list(LAUNCH_ARGS)
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="session")
def camera(tmp_path_factory: pytest.TempPathFactory) -> Camera:
    given = os.environ.get("ENSEMBLE_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return Camera(folder, axe_script().read_text())


async def new_context(browser: Browser, locale: str = "en-GB") -> BrowserContext:
    """A new person's browser: its own cookies and language (Accept-Language follows it);
    the pages' CSP is enforced."""
    return await browser.new_context(locale=locale, viewport={"width": 1200, "height": 900})
