"""The address verification page, against notify's real API with a real HTTP receiver as the
person's Slack webhook: GET shows and changes nothing, the button confirms, a replaced or
forged link gets its page; a French browser reads French."""

from __future__ import annotations

import json

from support.console import CONSOLE_URL
from support.console_links import Stack, stack
from support.receiver import Receiver

__all__ = ["stack"]  # the fixture


async def set_slack(stack: Stack, url: str) -> None:
    """Camille sets her own Slack webhook (a verification message goes there)."""
    answer = await stack.notify.http.put(
        "/people/camille/addresses",
        json={"slack_webhook_url": url},
        headers=stack.notify.person("camille"),
    )
    assert answer.status_code == 200, answer.text


def page_of(received: bytes) -> str:
    blocks = json.loads(received)["blocks"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    url = str(actions["elements"][0]["url"])
    assert url.startswith(f"{CONSOLE_URL}/hooks/verify-address/"), url
    return url.removeprefix(CONSOLE_URL)


async def slack_in_use(stack: Stack) -> str | None:
    entry = await stack.notify.http.get("/people/camille", headers=stack.notify.admin)
    found: str | None = entry.json()["slack_webhook_url"]
    return found


async def test_the_page_confirms_only_when_its_button_is_pressed(stack: Stack) -> None:
    await stack.notify.put_person("camille", name="Camille", language="fr")
    with Receiver() as first, Receiver() as slack:
        await set_slack(stack, first.url)
        replaced = page_of(first.verifications[0].body)
        await set_slack(stack, slack.url)  # a newer address: the first link no longer works
        page = page_of(slack.verifications[0].body)
    async with stack.console.browser("fr-FR,fr;q=0.9") as browser:
        for _ in range(2):  # looking changes nothing
            shown = await browser.get(page)
            assert shown.status_code == 200, shown.text[:500]
            assert "Confirmer cette adresse" in shown.text
            assert slack.url in shown.text
            assert shown.headers["referrer-policy"] == "no-referrer"
        assert await slack_in_use(stack) is None
        confirmed = await browser.submit(page, page, {})
        assert (confirmed.status_code, confirmed.headers["location"]) == (303, page)
        done = await browser.get(page)
        assert "Adresse confirmée" in done.text
        assert await slack_in_use(stack) == slack.url
        gone = await browser.get(replaced)
        assert gone.status_code == 410
        assert "Ce lien ne fonctionne pas" in gone.text
        forged = await browser.get(page[:-4] + ("AAAA" if not page.endswith("AAAA") else "BBBB"))
        assert forged.status_code == 404
    async with stack.console.browser() as english:
        shown = await english.get(page)
    assert "Address confirmed" in shown.text
