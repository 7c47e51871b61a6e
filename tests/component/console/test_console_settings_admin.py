"""The settings screens without JavaScript (plain forms, as a browser posts them: every field
of the page's form, changed where a person would), against the real identity, notify, ingest
and feedback: notify's routing rules and preference defaults, its people directory (an edit
keeps the addresses in use and proves nothing new), ingest's triage settings and feedback's
engagement weights; a manager reaches the directory and the weights, not the admins'
settings. Each save is read back from the API that owns it; each 422 is shown next to the
field that caused it with what was typed; GET changes nothing."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import httpx

from support.console import Browser
from support.console_ops import Ops
from support.identity import PASSWORD
from support.receiver import Receiver

FormData = dict[str, Any]


class _Form(HTMLParser):
    """The values a browser would post for the form whose action is `action`."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.values: FormData = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        if name in self.values:
            existing = self.values[name]
            self.values[name] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            self.values[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = found.get("action") == self.action
        if not self.inside or "disabled" in found:
            return
        name = found.get("name", "")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in found:
                self.add(name, found.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in found:
            self.add(self.select, found.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def form_of(page: str, action: str) -> FormData:
    parser = _Form(action)
    parser.feed(page)
    assert parser.values, f"no form posting to {action}"
    parser.values.pop("csrf_token", None)
    return parser.values


async def posted(browser: Browser, page: str, changes: FormData) -> httpx.Response:
    """Post `page`'s own form (at the page's address) as shown, with `changes` made."""
    shown = await browser.get(page)
    assert shown.status_code == 200, shown.text[:500]
    data = {**form_of(shown.text, page), **changes}
    return await browser.submit(page, page, {k: v for k, v in data.items() if v is not None})


async def saved(browser: Browser, page: str, changes: FormData, notice: str) -> str:
    """Post with `changes`; it answers 303 with `notice`: the page it leads to."""
    done = await posted(browser, page, changes)
    assert done.status_code == 303, done.text[:1500]
    assert done.headers["location"] == f"{page}?notice={notice}"
    shown = await browser.get(done.headers["location"])
    assert shown.status_code == 200
    return shown.text


def error_next_to(page: str, field: str) -> str:
    """The message shown right after `field`'s input (the API's 422 for it)."""
    found = re.search(rf'<small class="error" id="error-{re.escape(field)}">(.*?)</small>', page)
    assert found, f"no error shown for {field}"
    return html.unescape(found.group(1))


def row_of(form: FormData, prefix: str, field: str, value: str) -> str:
    """The `prefix.<n>` of the row whose `field` is `value`."""
    for name, typed in form.items():
        if name.startswith(prefix + ".") and name.endswith("." + field) and typed == value:
            return name.removesuffix("." + field)
    raise AssertionError(f"no row with {field} = {value}")


def blank_row(form: FormData, prefix: str, field: str) -> str:
    return row_of(form, prefix, field, "")


async def api(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> Any:
    """The API's answer, without the time it was made at (defaults answer with `now`)."""
    answer = await http.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    found = answer.json()
    if isinstance(found, dict):
        found.pop("updated_at", None)
    return found


async def test_routing_rules_are_one_form_saved_whole_and_refused_next_to_the_field(
    ops: Ops,
) -> None:
    page = "/w/acme/admin/routing"
    notify, admin = ops.notify.http, ops.notify.admin
    async with ops.admin() as browser:
        home = await browser.get("/w/acme/settings")
        for link in (page, "/w/acme/admin/notification-defaults", "/w/acme/admin/triage"):
            assert f'href="{link}"' in home.text
        before = await api(notify, "/routing/rules", admin)
        for _ in range(2):  # looking changes nothing
            shown = await browser.get(page)
            assert shown.status_code == 200
        assert await api(notify, "/routing/rules", admin) == before
        if before["defaults"]:
            assert "these are the defaults" in shown.text
        assert 'value="mention.spike_detected.v1"' in shown.text
        no_token = await browser.http.post(page, data={"on_call_team": "x"})
        assert no_token.status_code == 403

        form = form_of(shown.text, page)
        spike = row_of(form, "rules", "event", "mention.spike_detected.v1")
        new = blank_row(form, "rules", "event")
        assert form[f"{spike}.urgent"] == "on"
        changes = {
            f"{spike}.recipients": "on_call, team:comms",
            f"{new}.event": "submission.*",
            f"{new}.recipients": "person:ana, team:community",
            f"{new}.channels": ["email", "in_app"],
            f"{new}.urgent": "on",
            f"{new}.description": "Community team hears of every idea",
            "on_call_team": "support",
        }
        after = await saved(browser, page, changes, "routing_saved")
        assert "The routing rules are saved." in after
        assert "these are the defaults" not in after
        stored = await api(notify, "/routing/rules", admin)
        assert stored["defaults"] is False
        assert stored["on_call_team"] == "support"
        rules = {rule["event"]: rule for rule in stored["rules"]}
        assert rules["mention.spike_detected.v1"]["recipients"] == ["on_call", "team:comms"]
        assert rules["mention.spike_detected.v1"]["urgent"] is True
        assert rules["submission.*"] == {
            "event": "submission.*",
            "recipients": ["person:ana", "team:community"],
            "channels": ["email", "in_app"],
            "urgent": True,
            "description": "Community team hears of every idea",
        }
        kept = {r["event"] for r in before["rules"]} | {"submission.*"}
        assert set(rules) == kept  # the rows left as shown are saved as they were

        # Notify refuses a row: the page says so next to it, with what was typed; nothing saved.
        form = form_of(after, page)
        idea = row_of(form, "rules", "event", "submission.*")
        new = blank_row(form, "rules", "event")
        wrong = {
            f"{new}.event": "Ideas!",
            f"{new}.recipients": "approvers",
            f"{idea}.recipients": "person:ana, somebody",
        }
        refused = await posted(browser, page, wrong)
        assert refused.status_code == 422, refused.text[:800]
        assert "Nothing was saved" in refused.text
        assert "is not an event type or glob" in error_next_to(refused.text, f"{new}.event")
        assert "'somebody' is not a recipient spec" in error_next_to(
            refused.text, f"{idea}.recipients"
        )
        assert 'value="Ideas!"' in refused.text
        assert f'aria-invalid="true" aria-describedby="error-{new}.event"' in refused.text
        assert await api(notify, "/routing/rules", admin) == stored

        # A row marked for removal is dropped from the rule set.
        removed = await saved(browser, page, {f"{idea}.remove": "on"}, "routing_saved")
        assert 'value="submission.*"' not in removed
        left = await api(notify, "/routing/rules", admin)
        assert "submission.*" not in {rule["event"] for rule in left["rules"]}
        assert left["version"] > stored["version"]


async def test_notification_defaults_and_a_persons_description_in_french(ops: Ops) -> None:
    page = "/w/acme/admin/notification-defaults"
    notify, admin = ops.notify.http, ops.notify.admin
    async with ops.admin("fr") as browser:
        before = await api(notify, "/preferences/defaults", admin)
        shown = await browser.get(page)
        assert shown.status_code == 200
        assert "Notifications par défaut" in shown.text
        assert "Non défini (activé, immédiat)" in shown.text
        assert await api(notify, "/preferences/defaults", admin) == before
        changes = {
            "pref:approval.*:email": "daily",
            "pref:mention.*:slack": "off",
            "quiet": "on",
            "quiet_start": "21:00",
            "quiet_end": "06:30",
        }
        after = await saved(browser, page, changes, "notification_defaults_saved")
        assert "Les réglages de notification par défaut de l’espace sont enregistrés." in after
        assert form_of(after, page)["pref:approval.*:email"] == "daily"
        stored = await api(notify, "/preferences/defaults", admin)
        assert stored["person"] is None
        assert {
            (r["event"], r["channel"], r["enabled"], r["delivery"]) for r in stored["rules"]
        } >= {
            ("approval.*", "email", True, "daily"),
            ("mention.*", "slack", False, "immediate"),
        }
        assert stored["quiet_hours"] == {"start": "21:00:00", "end": "06:30:00", "enabled": True}
        same = await posted(browser, page, {"quiet_start": "08:00", "quiet_end": "08:00"})
        assert same.status_code == 422
        assert "Donnez aux heures calmes un début et une fin différents." in same.text
        assert await api(notify, "/preferences/defaults", admin) == stored

        # The directory: a manager's description saved; the proven address stays in use.
        await ops.notify.put_person(
            "lea", name="Léa", email="lea@acme.example", roles=["approver"], language="fr"
        )
        listed = await browser.get("/w/acme/admin/people")
        assert listed.status_code == 200
        assert 'href="/w/acme/admin/people/lea"' in listed.text
        assert "lea@acme.example" in listed.text
        person = "/w/acme/admin/people/lea"
        edited = {
            "name": "Léa Martin",
            "role": ["approver", "manager"],
            "time_zone": "Europe/Paris",
        }
        shown_person = await saved(browser, person, edited, "person_saved")
        assert "La personne est enregistrée." in shown_person
        entry = await api(notify, "/people/lea", admin)
        assert entry["name"] == "Léa Martin"
        assert sorted(entry["roles"]) == ["approver", "manager"]
        assert entry["time_zone"] == "Europe/Paris"
        assert entry["email"] == "lea@acme.example"
        assert entry["pending"] == []
        refused = await posted(browser, person, {"time_zone": "Mars/Olympus"})
        assert refused.status_code == 422
        assert "'Mars/Olympus' is not an IANA time zone" in error_next_to(refused.text, "time_zone")
        assert 'value="Mars/Olympus"' in refused.text
        assert "Rien n’a été enregistré" in refused.text
        assert (await api(notify, "/people/lea", admin))["time_zone"] == "Europe/Paris"
        assert (await browser.get("/w/acme/admin/people/nobody")).status_code == 404


async def test_triage_settings_keep_their_rule_ids_and_refuse_a_broken_query(ops: Ops) -> None:
    page = "/w/acme/admin/triage"
    ingest, admin = ops.ingest.client, ops.ingest.admin
    async with ops.admin() as browser:
        before = await api(ingest, "/triage/settings", admin)
        shown = await browser.get(page)
        assert shown.status_code == 200
        assert await api(ingest, "/triage/settings", admin) == before
        form = form_of(shown.text, page)
        assert form["languages"] == ", ".join(before["languages"])
        new = blank_row(form, "rules", "name")
        changes = {
            f"{new}.name": "Refunds",
            f"{new}.query": "(refund OR rembours*) lang:fr",
            f"{new}.actions.tags": "billing, refund",
            f"{new}.actions.priority": "high",
            f"{new}.actions.team": "support",
            f"{new}.actions.mark_as": "request",
            "vip_authors": "x:@AcmeCEO\ncamille",
            "negative_priority": "urgent",
            "languages": "en, fr",
        }
        after = await saved(browser, page, changes, "triage_saved")
        assert "The triage settings are saved." in after
        stored = await api(ingest, "/triage/settings", admin)
        assert stored["vip_authors"] == ["x:acmeceo", "camille"]
        assert stored["negative_priority"] == "urgent"
        assert stored["languages"] == ["en", "fr"]
        refunds = next(rule for rule in stored["rules"] if rule["name"] == "Refunds")
        assert refunds["query"] == "(refund OR rembours*) lang:fr"
        assert refunds["enabled"] is True
        assert refunds["actions"] == {
            "tags": ["billing", "refund"],
            "priority": "high",
            "team": "support",
            "mark_as": "request",
        }

        # Saved again as shown, with the rule turned off: the same rule (same id), off.
        form = form_of(after, page)
        row = row_of(form, "rules", "name", "Refunds")
        await saved(browser, page, {f"{row}.enabled": None}, "triage_saved")
        again = await api(ingest, "/triage/settings", admin)
        (same,) = [rule for rule in again["rules"] if rule["name"] == "Refunds"]
        assert same["id"] == refunds["id"]
        assert same["enabled"] is False

        wrong = {f"{row}.query": "(refund OR", "languages": "en, zz"}
        refused = await posted(browser, page, wrong)
        assert refused.status_code == 422, refused.text[:800]
        assert "ends too early" in error_next_to(refused.text, f"{row}.query")
        assert "zz" in error_next_to(refused.text, "languages")
        assert 'value="(refund OR"' in refused.text
        assert await api(ingest, "/triage/settings", admin) == again


async def test_engagement_weights_are_saved_and_a_weight_out_of_range_is_refused(
    ops: Ops,
) -> None:
    page = "/w/acme/community/engagement"
    feedback, manager = ops.feedback.client, ops.feedback.manager
    async with ops.admin() as browser:
        home = await browser.get("/w/acme/")
        assert 'href="/w/acme/settings"' in home.text  # the settings are one entry of the menu
        assert f'href="{page}"' not in home.text
        settings = await browser.get("/w/acme/settings")
        for screen in (page, "/w/acme/admin/people", "/w/acme/admin/routing", "/w/acme/sources"):
            assert f'href="{screen}"' in settings.text
        assert "Team and access" in settings.text
        before = await api(feedback, "/members/engagement-weights", manager)
        shown = await browser.get(page)
        assert shown.status_code == 200
        assert form_of(shown.text, page)["submission"] == format(before["submission"], "g")
        after = await saved(browser, page, {"submission": "7.5", "vote": "0"}, "engagement_saved")
        assert "The engagement weights are saved." in after
        assert form_of(after, page)["submission"] == "7.5"
        stored = await api(feedback, "/members/engagement-weights", manager)
        assert stored == {**before, "submission": 7.5, "vote": 0}
        refused = await posted(browser, page, {"comment": "5000", "rsvp": "lots"})
        assert refused.status_code == 422
        assert "1000" in error_next_to(refused.text, "comment")
        assert "valid number" in error_next_to(refused.text, "rsvp")
        assert 'value="lots"' in refused.text
        assert await api(feedback, "/members/engagement-weights", manager) == stored


async def test_a_manager_edits_people_and_weights_but_not_the_admins_settings(ops: Ops) -> None:
    async with ops.admin():
        pass  # the workspace and its admin exist
    admin = (await ops.identity.sign_in("ana@acme.example")).json()["session_token"]
    await ops.identity.join(admin, "max@acme.example", ["manager"], name="Max Manager")
    async with ops.console.browser() as browser:
        opened = await browser.submit(
            "/sign-in", "/sign-in", {"email": "max@acme.example", "password": PASSWORD}
        )
        assert opened.status_code == 303, opened.text[:500]
        home = await browser.get("/w/acme/settings")
        assert 'href="/w/acme/admin/people"' in home.text
        assert 'href="/w/acme/community/engagement"' in home.text
        for admins_only in ("routing", "notification-defaults", "triage"):
            assert f'href="/w/acme/admin/{admins_only}"' not in home.text
            assert (await browser.get(f"/w/acme/admin/{admins_only}")).status_code == 403
        # A settings screen carries the settings menu (the current one marked); others don't.
        people = (await browser.get("/w/acme/admin/people")).text
        assert 'href="/w/acme/admin/people" aria-current="page"' in people
        assert 'href="/w/acme/community/engagement"' in people
        assert 'href="/w/acme/community/engagement"' not in (await browser.get("/w/acme/")).text
        assert (await browser.get("/w/acme/admin/people")).status_code == 200
        # Addresses are the person's or an admin's: notify refuses a manager (403 page).
        assert (await browser.get("/w/acme/admin/people/lea/addresses")).status_code == 403
        assert (await browser.get("/w/acme/account/addresses")).status_code == 200
        assert (await browser.get("/w/acme/admin/teams")).status_code == 200
        page = "/w/acme/community/engagement"
        before = await api(ops.feedback.client, "/members/engagement-weights", ops.feedback.manager)
        await saved(browser, page, {"mention": "4"}, "engagement_saved")
        after = await api(ops.feedback.client, "/members/engagement-weights", ops.feedback.manager)
        assert after == {**before, "mention": 4}


async def test_my_addresses_wait_for_their_proof_and_an_admin_changes_a_colleagues(
    ops: Ops,
) -> None:
    notify, admin = ops.notify.http, ops.notify.admin
    async with ops.admin() as browser:
        me = ops.admin_id
        await ops.notify.put_person(me, name="Ana Admin")
        account = await browser.get("/w/acme/account")
        assert 'href="/w/acme/account/addresses"' in account.text
        page = "/w/acme/account/addresses"
        before = await api(notify, f"/people/{me}", admin)
        shown = await browser.get(page)
        assert shown.status_code == 200, shown.text[:500]
        assert 'name="email"' in shown.text  # entered by hand: its email is set here too
        assert await api(notify, f"/people/{me}", admin) == before  # GET changes nothing
        with Receiver() as slack:
            done = await browser.submit(page, page, {"slack_webhook_url": slack.url})
            assert done.status_code == 303, done.text[:800]
            assert done.headers["location"] == f"{page}?notice=addresses_requested"
            assert slack.verifications  # sent before notify answered
        entry = await api(notify, f"/people/{me}", admin)
        assert entry["slack_webhook_url"] is None  # not in use before its owner's proof
        assert [(p["channel"], p["address"]) for p in entry["pending"]] == [("slack", slack.url)]
        after = (await browser.get(done.headers["location"])).text
        assert "Waiting for proof" in after
        assert "127.0.0.1" in after
        assert slack.url not in after  # a chat webhook is a credential: its host only
        assert "set, waiting for proof" in after
        assert "themselves" in after
        refused = await browser.submit(
            page, page, {"teams_webhook_url": "http://169.254.169.254/latest"}
        )
        assert refused.status_code == 422, refused.text[:800]
        assert error_next_to(refused.text, "teams_webhook_url")
        assert 'value="http://169.254' not in refused.text  # a typed URL is never put back
        unchanged = await browser.submit(page, page, {})
        assert unchanged.headers["location"] == f"{page}?notice=addresses_unchanged"

        # An admin, from a colleague's page: removes their email; its history says who.
        await ops.notify.put_person("noe", name="Noé", email="noe@acme.example")
        person = await browser.get("/w/acme/admin/people/noe")
        theirs = "/w/acme/admin/people/noe/addresses"
        assert f'href="{theirs}"' in person.text
        removed = await browser.submit(theirs, theirs, {"remove": "email"})
        assert removed.status_code == 303, removed.text[:800]
        assert (await api(notify, "/people/noe", admin))["email"] is None
        history = (await browser.get(theirs)).text
        assert "removed" in history
        assert "noe@acme.example" in history
    async with ops.admin("fr") as french:
        assert "Mes adresses de notification" in (await french.get(page)).text


async def test_a_team_and_its_on_call_shifts_are_one_form_typed_in_my_zone(ops: Ops) -> None:
    notify, admin = ops.notify.http, ops.notify.admin
    async with ops.admin() as browser:
        settings = await browser.get("/w/acme/settings")
        assert 'href="/w/acme/admin/teams"' in settings.text
        opened = await browser.get("/w/acme/admin/teams?name=support")
        assert opened.headers["location"] == "/w/acme/admin/teams/support"
        page = "/w/acme/admin/teams/support"
        assert "A new team" in (await browser.get(page)).text
        assert (await notify.get("/teams/support", headers=admin)).status_code == 404
        changes = {
            "description": "Customer support",
            "members": "lea\nnoe",
            "on_call_person": "lea",
            "on_call.0.person": "noe",
            "on_call.0.starts_at": "2026-12-08T09:00",  # Ana's zone: Europe/Paris
            "on_call.0.ends_at": "2026-12-08T17:00",
        }
        after = await saved(browser, page, changes, "team_saved")
        assert "The team is saved." in after
        stored = await api(notify, "/teams/support", admin)
        assert stored["members"] == ["lea", "noe"]
        assert stored["on_call_person"] == "lea"
        [shift] = stored["on_call"]
        assert (shift["person"], shift["starts_at"]) == ("noe", "2026-12-08T08:00:00Z")
        assert form_of(after, page)["on_call.0.starts_at"] == "2026-12-08T09:00"
        listed = await browser.get("/w/acme/admin/teams")
        assert 'href="/w/acme/admin/teams/support"' in listed.text

        backwards = {"on_call.0.ends_at": "2026-12-08T08:00"}
        refused = await posted(browser, page, backwards)
        assert refused.status_code == 422, refused.text[:800]
        assert "a shift ends after it starts" in refused.text
        assert 'value="2026-12-08T08:00"' in refused.text
        garbled = await posted(browser, page, {"on_call.0.starts_at": "tomorrow"})
        assert garbled.status_code == 422
        assert error_next_to(garbled.text, "on_call.0.starts_at") == "Give a date and a time."
        assert await api(notify, "/teams/support", admin) == stored


async def test_the_workspace_is_renamed_and_a_blank_name_is_refused_next_to_the_field(
    ops: Ops,
) -> None:
    page = "/w/acme/admin/workspace"
    async with ops.admin() as browser:
        session_token = (await ops.identity.sign_in("ana@acme.example")).json()["session_token"]
        bearer = {"authorization": f"Bearer {await ops.identity.access_token(session_token)}"}
        before = await api(ops.identity.http, "/workspaces/acme", bearer)
        settings = (await browser.get("/w/acme/settings")).text
        assert f'href="{page}"' in settings
        shown = await browser.get(page)
        assert shown.status_code == 200
        assert form_of(shown.text, page) == {
            "name": before["name"],
            "default_locale": before["default_locale"],
            **({"member_signup": "on"} if before["member_signup"] else {}),
        }
        changes = {"name": "Acme Europe", "default_locale": "fr", "member_signup": None}
        after = await saved(browser, page, changes, "workspace_saved")
        assert "The workspace&#39;s settings are saved." in after
        home = (await browser.get("/w/acme/")).text
        assert "<h1>Acme Europe</h1>" in home  # every page names the workspace anew
        stored = await api(ops.identity.http, "/workspaces/acme", bearer)
        assert (stored["name"], stored["default_locale"], stored["member_signup"]) == (
            "Acme Europe",
            "fr",
            False,
        )
        assert form_of(after, page) == {"name": "Acme Europe", "default_locale": "fr"}
        refused = await posted(browser, page, {"name": "   ", "member_signup": "on"})
        assert refused.status_code == 422
        assert error_next_to(refused.text, "name")
        assert 'aria-invalid="true"' in refused.text
        assert await api(ops.identity.http, "/workspaces/acme", bearer) == stored
        restored = {
            "name": before["name"],
            "default_locale": before["default_locale"],
            "member_signup": "on" if before["member_signup"] else None,
        }
        await saved(browser, page, restored, "workspace_saved")
    async with ops.console.browser() as viewer:
        await ops.identity.join(session_token, "vi@acme.example", ["viewer"], name="Vi")
        signed = await viewer.submit(
            "/sign-in", "/sign-in", {"email": "vi@acme.example", "password": PASSWORD}
        )
        assert signed.status_code == 303
        assert (await viewer.get(page)).status_code == 403
