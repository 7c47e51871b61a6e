"""The console's pages without JavaScript (plain forms), in front of the real identity: first
run, sign-in and its refusals, languages, CSRF, security headers, the account page."""

from __future__ import annotations

import re

from component.console.conftest import Front
from component.scheduler.test_scheduler_approvals import EXTERNAL, setup
from ensemble_scheduler.services.links import LinkClaims, LinkSigner
from ensemble_shared.events import utcnow
from ensemble_shared.topics import APPROVALS
from support.console import Browser
from support.identity import PASSWORD
from support.waiting import eventually

SESSION_COOKIE = "__Host-ens_session"  # the console is served over https here


async def first_run(browser: Browser) -> None:
    assert (await browser.get("/")).headers["location"] == "/setup"
    created = await browser.submit(
        "/setup",
        "/setup",
        {
            "workspace": "acme",
            "workspace_name": "Acme",
            "name": "Ana Admin",
            "email": "ana@acme.example",
            "password": PASSWORD,
            "time_zone": "Europe/Paris",
        },
    )
    assert (created.status_code, created.headers["location"]) == (303, "/w/acme/"), created.text


async def test_first_run_signs_the_admin_in_with_a_secure_cookie_then_sign_out_and_in(
    front: Front,
) -> None:
    async with front.console.browser() as browser:
        await first_run(browser)
        cookie = next(c for c in browser.http.cookies.jar if c.name == SESSION_COOKIE)
        assert cookie.secure
        assert cookie.path == "/"
        assert not cookie.domain_specified
        assert cookie.has_nonstandard_attr("HttpOnly")
        same_site = {k.lower(): v for k, v in cookie.__dict__["_rest"].items()}["samesite"]
        assert str(same_site).lower() == "lax"  # sent on top-level links, never by other sites
        assert (await browser.get("/setup")).headers["location"] == "/"
        home = await browser.get("/w/acme/")
        assert home.status_code == 200
        assert "Ana Admin" in home.text
        assert "Administrator" in home.text
        account = await browser.get("/w/acme/account")
        assert "this browser" in account.text
        assert "Europe/Paris" in account.text

        signed_out = await browser.submit("/w/acme/account", "/sign-out", {})
        assert signed_out.headers["location"] == "/sign-in?notice=signed_out"
        assert SESSION_COOKIE not in browser.http.cookies
        gone = await browser.get("/w/acme/account")
        assert gone.headers["location"] == "/sign-in?next=/w/acme/account"

        wrong = await browser.submit(
            "/sign-in", "/sign-in", {"email": "ana@acme.example", "password": "nope-nope-nope"}
        )
        assert wrong.status_code == 401
        assert "The email or the password is not right." in wrong.text
        unknown = await browser.submit(
            "/sign-in", "/sign-in", {"email": "who@acme.example", "password": PASSWORD}
        )
        assert unknown.status_code == 401
        assert "The email or the password is not right." in unknown.text
        signed_in = await browser.submit(
            "/sign-in?next=/w/acme/account",
            "/sign-in",
            {"email": "ana@acme.example", "password": PASSWORD, "next": "/w/acme/account"},
        )
        assert signed_in.headers["location"] == "/w/acme/account"
        elsewhere = await browser.get("/sign-in?next=//evil.example/")
        assert elsewhere.headers["location"] == "/"  # never an open redirect


async def test_a_french_browser_gets_french_pages_and_the_switcher_changes_it(
    front: Front,
) -> None:
    async with front.console.browser("fr-FR,fr;q=0.9,en;q=0.5") as browser:
        page = await browser.get("/sign-in")
        assert '<html lang="fr">' in page.text
        assert "Mot de passe oublié ?" in page.text
        switched = await browser.submit(
            "/sign-in", "/language", {"language": "en", "back": "/sign-in"}
        )
        assert switched.headers["location"] == "/sign-in"
        assert '<html lang="en">' in (await browser.get("/sign-in")).text
        missing = await browser.get("/nowhere")
        assert missing.status_code == 404
        assert "Page not found" in missing.text
    async with front.console.browser("de-DE,fr;q=0.8") as browser:
        missing = await browser.get("/nowhere")
        assert missing.status_code == 404
        assert "Page introuvable" in missing.text


async def test_a_form_without_this_browsers_csrf_token_is_refused_and_changes_nothing(
    front: Front,
) -> None:
    async with front.console.browser() as victim, front.console.browser("fr") as attacker:
        await first_run(victim)
        form = {"email": "ana@acme.example", "password": PASSWORD}
        bare = await attacker.http.post("/sign-in", data=form)
        assert bare.status_code == 403
        assert "Ce formulaire a expiré" in bare.text
        forged = await attacker.http.post("/sign-in", data={**form, "csrf_token": "x" * 43})
        assert forged.status_code == 403
        # The victim's own token is bound to the victim's session, not to this browser.
        page = await victim.get("/w/acme/account")
        from support.console import csrf_of

        stolen = await attacker.http.post(
            "/sign-out/everywhere", data={"csrf_token": csrf_of(page.text)}
        )
        assert stolen.status_code == 403
        assert SESSION_COOKIE not in attacker.http.cookies
        # The victim's request with no token (a cross-site form) is refused too.
        cross_site = await victim.http.post("/sign-out/everywhere", data={})
        assert cross_site.status_code == 403
        assert (await victim.get("/w/acme/account")).status_code == 200  # still signed in
        header = await victim.http.post("/sign-out", headers={"x-csrf-token": csrf_of(page.text)})
        assert header.status_code == 303  # htmx sends the token as a header


async def test_every_page_carries_the_security_headers(front: Front) -> None:
    async with front.console.browser() as browser:
        page = await browser.get("/sign-in")
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"
        assert "strict-transport-security" in page.headers
        link = await browser.get("/hooks/decisions/not-a-real-token")
        assert link.status_code == 404
        assert link.headers["referrer-policy"] == "no-referrer"
        invitation = await browser.get("/invitations/ens_i_not-a-real-invitation")
        assert invitation.headers["referrer-policy"] == "no-referrer"
        assert invitation.status_code == 404
        assert "We do not know this link" in invitation.text
        static = await browser.get("/static/vendor/htmx/htmx.min.js")
        assert static.status_code == 200
        assert "cache-control" not in static.headers


async def test_a_person_changes_their_address_through_the_link_sent_to_the_new_one(
    front: Front,
) -> None:
    new = "ana.new@acme.example"
    async with front.console.browser() as browser:
        await first_run(browser)
        wrong = await browser.submit(
            "/w/acme/account",
            "/account/email",
            {"email": new, "current_password": "nope-nope-nope", "workspace": "acme"},
        )
        assert wrong.status_code == 422
        assert "The current password is not right." in wrong.text
        assert f'value="{new}"' in wrong.text  # what was typed stays in the field
        asked = await browser.submit(
            "/w/acme/account",
            "/account/email",
            {"email": new, "current_password": PASSWORD, "workspace": "acme"},
        )
        assert asked.headers["location"] == "/w/acme/account?notice=email_change_sent"
        token = await front.identity.link(new, "/change-email/")
        for _ in range(2):  # a mail scanner opening the link changes nothing
            shown = await browser.get(f"/change-email/{token}")
            assert shown.status_code == 200
            assert f"Make {new} the address of your account?" in shown.text
        assert "ana@acme.example" in (await browser.get("/w/acme/account")).text

        done = await browser.submit(f"/change-email/{token}", f"/change-email/{token}", {})
        assert done.status_code == 200, done.text[:500]
        assert f"your account's address is now {new}" in done.text
        used = await browser.get(f"/change-email/{token}")
        assert used.status_code == 410
        assert "It was already used" in used.text

        await browser.submit("/w/acme/account", "/sign-out", {})
        old = await browser.submit(
            "/sign-in", "/sign-in", {"email": "ana@acme.example", "password": PASSWORD}
        )
        assert old.status_code == 401
        signed_in = await browser.submit(
            "/sign-in", "/sign-in", {"email": new, "password": PASSWORD}
        )
        assert signed_in.status_code == 303
        assert new in (await browser.get("/w/acme/account")).text


async def test_a_new_password_ends_the_other_sessions_and_sign_out_everywhere_ends_all(
    front: Front,
) -> None:
    new = "quince-harbour-lantern-77"
    async with front.console.browser() as desk, front.console.browser() as phone:
        await first_run(desk)
        signed_in = await phone.submit(
            "/sign-in", "/sign-in", {"email": "ana@acme.example", "password": PASSWORD}
        )
        assert signed_in.status_code == 303
        assert (await phone.get("/w/acme/account")).status_code == 200

        wrong = await desk.submit(
            "/w/acme/account",
            "/account/password",
            {"current_password": "nope-nope-nope", "new_password": new, "workspace": "acme"},
        )
        assert wrong.status_code == 422
        assert "The current password is not right." in wrong.text
        assert (await phone.get("/w/acme/account")).status_code == 200  # nothing changed
        changed = await desk.submit(
            "/w/acme/account",
            "/account/password",
            {"current_password": PASSWORD, "new_password": new, "workspace": "acme"},
        )
        assert changed.headers["location"] == "/w/acme/account?notice=password_changed"
        assert (await desk.get("/w/acme/account")).status_code == 200  # this browser stays in
        ended = await phone.get("/w/acme/account")
        assert ended.headers["location"] == "/sign-in?next=/w/acme/account"

        old = await phone.submit(
            "/sign-in", "/sign-in", {"email": "ana@acme.example", "password": PASSWORD}
        )
        assert old.status_code == 401
        again = await phone.submit(
            "/sign-in", "/sign-in", {"email": "ana@acme.example", "password": new}
        )
        assert again.status_code == 303

        everywhere = await desk.submit("/w/acme/account", "/sign-out/everywhere", {})
        assert everywhere.headers["location"] == "/sign-in?notice=signed_out_everywhere"
        for browser in (desk, phone):
            out = await browser.get("/w/acme/account")
            assert out.headers["location"] == "/sign-in?next=/w/acme/account"


async def test_a_decision_link_in_french_changes_nothing_when_opened_and_expires_with_a_page(
    front: Front,
) -> None:
    s = front.scheduler
    content_id = await setup(s, EXTERNAL)
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    opened = await eventually(
        lambda: s.events(APPROVALS),
        lambda es: any(e.type == "approval.step_opened.v1" and e.subject == content_id for e in es),
        what="the step's opening",
    )
    [link] = [e for e in opened if e.subject == content_id][-1].data.links  # type: ignore[attr-defined]
    assert link.url.startswith("https://console.example.org/hooks/decisions/")
    token = link.url.rsplit("/", 1)[1]
    async with front.console.browser("fr-FR,fr;q=0.9") as agency:
        for _ in range(2):  # a mail scanner, then the person: opening decides nothing
            page = await agency.get(f"/hooks/decisions/{token}")
            assert page.status_code == 200, page.text[:500]
            assert '<html lang="fr">' in page.text
            assert "Envoyer ma décision" in page.text
        state = await s.client.get(f"/content/{content_id}/approval", headers=s.manager)
        assert state.json()["status"] == "in_review"

        secret = s.settings.secret_key.get_secret_value()
        claims = LinkSigner(secret).verify(token, now=utcnow())
        expired = LinkSigner(secret).sign(
            LinkClaims(**{**claims.__dict__, "expires": int(utcnow().timestamp()) - 1})
        )
        gone = await agency.get(f"/hooks/decisions/{expired}")
        assert gone.status_code == 410
        assert "Ce lien de décision ne fonctionne plus" in gone.text
        assert "expiré" in gone.text


async def test_a_person_in_two_workspaces_switches_between_them(front: Front) -> None:
    async with front.console.browser() as browser:
        await first_run(browser)
        link = await front.identity.services.workspaces.create(
            "beta", "Beta", "en", "ana@acme.example"
        )  # what `ensemble_identity.cli create-workspace` does, for the same person
        token = link.rsplit("/", 1)[1]
        shown = await browser.get(f"/invitations/{token}")
        assert shown.status_code == 200, shown.text[:500]
        accepted = await browser.submit(f"/invitations/{token}", f"/invitations/{token}", {})
        assert accepted.status_code == 303, accepted.text[:500]

        home = await browser.get("/w/acme/")
        switcher = home.text.split('class="dropdown"')[1].split("</details>")[0]
        assert "Switch workspace" in switcher
        assert '<a href="/w/acme/" aria-current="page">Acme</a>' in switcher
        assert re.search(r'<a href="/w/beta/"\s*>Beta</a>', switcher)
        beta = await browser.get("/w/beta/")
        assert beta.status_code == 200
        there = beta.text.split('class="dropdown"')[1].split("</details>")[0]
        assert '<a href="/w/beta/" aria-current="page">Beta</a>' in there
        assert (await browser.get("/w/gamma/")).status_code in (403, 404)  # not one of hers
