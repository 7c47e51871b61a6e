"""The unsubscribe pages of people (notify) and community members (feedback), against the
real APIs on real sockets: GET shows and changes nothing, the form's POST unsubscribes,
forged and expired links get their page, French browsers read French."""

from __future__ import annotations

from datetime import timedelta

from ensemble_notify.services.unsubscribe import PURPOSE
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import utcnow
from support.console_links import Stack, stack

__all__ = ["stack"]  # the fixture


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
