"""The preferences page of a person's emailed link, against notify's real API: GET shows the
channels and changes nothing, the form saves only the channels changed, forged and expired
links get their page, French browsers read French."""

from __future__ import annotations

from datetime import timedelta

from ensemble_notify.services import preference_links
from ensemble_shared.events import utcnow
from support.console_links import Stack, stack

__all__ = ["stack"]  # the fixture


async def test_the_page_shows_the_channels_and_saves_only_what_changed(stack: Stack) -> None:
    page = f"/hooks/preferences/{stack.preferences_token()}"
    async with stack.console.browser() as browser:
        for _ in range(2):  # looking changes nothing
            shown = await browser.get(page)
            assert shown.status_code == 200, shown.text[:500]
            assert shown.text.count(" checked>") == 4
            assert "acme" in shown.text
            assert shown.headers["referrer-policy"] == "no-referrer"
        assert await stack.rules() == []
        saved = await browser.submit(page, page, {"channel": ["email", "in_app", "slack"]})
        assert saved.status_code == 303
        assert saved.headers["location"] == f"{page}?notice=preferences_saved"
        again = await browser.get(saved.headers["location"])
    assert "Your choices are saved." in again.text
    assert again.text.count(" checked>") == 3
    assert [(r["event"], r["channel"], r["enabled"]) for r in await stack.rules()] == [
        ("*", "teams", False)
    ]


async def test_forged_and_expired_preference_links_get_their_page(stack: Stack) -> None:
    token = stack.preferences_token()
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    expired = stack.capabilities(preference_links.PURPOSE).sign(
        {"ws": "acme", "sub": "camille"}, expires=utcnow() - timedelta(days=1)
    )
    async with stack.console.browser() as browser:
        for path in (f"/hooks/preferences/{forged}", f"/hooks/preferences/{stack.person_token()}"):
            shown = await browser.get(path)
            assert shown.status_code == 404, shown.text[:300]
            assert "We do not recognise this link" in shown.text
        old = await browser.get(f"/hooks/preferences/{expired}")
        assert old.status_code == 410
        assert "It has expired" in old.text
        posted = await browser.submit(
            f"/hooks/preferences/{token}", f"/hooks/preferences/{forged}", {"channel": []}
        )
    assert posted.status_code == 404
    assert await stack.rules() == []


async def test_a_french_browser_reads_the_preferences_in_french(stack: Stack) -> None:
    async with stack.console.browser("fr-FR,fr;q=0.9") as browser:
        shown = await browser.get(f"/hooks/preferences/{stack.preferences_token()}")
    assert '<html lang="fr"' in shown.text
    assert "Vos notifications" in shown.text
    assert "Recevoir les notifications par" in shown.text
