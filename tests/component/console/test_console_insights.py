"""The Insights page in front of the real identity and insights (fed events through Kafka):
last month against the month before, in English and French, its CSV downloads, its members,
timeline, share of voice and stocks; the insights settings screen; the weekly reports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from component.console.test_console_front_door import first_run
from ensemble_console.web.i18n import NO_VALUE, Translator
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_insights.main import create_app as create_insights_app
from ensemble_shared.events import Event
from ensemble_shared.topics import Topics, ensure_topics
from support.console import Browser, ConsoleDriver, running_console
from support.identity import running_identity
from support.insights_app import insights_settings, publish_all, publisher_for
from support.insights_mentions import community, history, months, notified, turned_off
from support.notify import serving
from support.notify_smtp import Mailbox
from support.waiting import eventually


@dataclass
class Stage:
    console: ConsoleDriver
    publish: Callable[[list[Event]], Awaitable[None]]


@pytest.fixture
async def stage(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Stage]:
    """Insights trusts the identity beside it: the console forwards identity's tokens."""
    prefix = unique_name("insights")
    await ensure_topics(infra.kafka_bootstrap, Topics(f"{prefix}."))
    with Mailbox() as mailbox:
        async with running_identity(infra, unique_name("identity"), issuer, mailbox) as identity:
            settings = insights_settings(infra, prefix, issuer).model_copy(
                update={"auth": issuer.settings(jwks_url=f"{identity.url}/.well-known/jwks.json")}
            )
            async with (
                serving(create_insights_app(settings)) as insights_url,
                publisher_for(infra, f"{prefix}.") as publisher,
                running_console(identity_url=identity.url, insights_url=insights_url) as console,
            ):

                async def publish(events: list[Event]) -> None:
                    await publish_all(publisher, events)

                yield Stage(console, publish)


def figure_row(html: str, name: str, attribute: str = "figure") -> list[str]:
    """The cells of a headline figure's row (or another table's), tags stripped."""
    row = re.search(rf'<tr data-{attribute}="{name}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {name}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


async def opened(browser: Browser, path: str) -> str:
    async def probe() -> str:
        page = await browser.get(path)
        assert page.status_code == 200, page.text[:500]
        return page.text

    return await eventually(
        # Both months must be counted: their events reach insights on different partitions.
        probe,
        lambda html: figure_row(html, "mentions")[1:3] == ["6", "4"],
        timeout=120,
        what="figures",
    )


async def test_a_manager_sees_last_month_against_the_month_before_and_exports_the_csv(
    stage: Stage,
) -> None:
    await stage.publish(history())
    async with stage.console.browser() as browser:
        await first_run(browser)
        home = await browser.get("/w/acme/")
        assert 'href="/w/acme/insights"' in home.text
        html = await opened(browser, "/w/acme/insights?period=last_month&by=platform")
        assert figure_row(html, "mentions")[1:] == ["6", "4", "+50%"]
        assert figure_row(html, "mentions_negative")[1:] == ["3", "1", "+200%"]
        assert figure_row(html, "negative_share")[1:] == ["50%", "25%", "+100%"]
        assert figure_row(html, "published")[1:] == ["0", "0", NO_VALUE]
        last, before = months()
        english = Translator("en")
        assert english.day(last) in html
        assert english.day(before) in html
        assert "<svg" in html
        assert "Mentions per day, this period and the previous one" in html
        assert '<th scope="row">Mastodon</th><td>4</td>' in html  # the platform's own name

        daily = await browser.get("/w/acme/insights/export.csv?period=last_month")
        assert daily.status_code == 200
        assert daily.headers["content-type"].startswith("text/csv")
        assert "attachment" in daily.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(daily.text)))
        assert sum(int(r["value"]) for r in rows) == 6
        assert sum(int(r["previous_value"] or 0) for r in rows) == 4
        assert rows[0]["period"] == last.isoformat()
        assert rows[0]["previous_period"] == before.isoformat()

        split = await browser.get("/w/acme/insights/export.csv?period=last_month&by=platform")
        platforms = {r["platform"]: r for r in csv.DictReader(io.StringIO(split.text))}
        assert (platforms["mastodon"]["value"], platforms["mastodon"]["previous"]) == ("4", "4")
        assert (platforms["x"]["value"], platforms["x"]["previous"]) == ("2", "0")


async def test_the_page_speaks_french_and_refuses_a_reversed_range(stage: Stage) -> None:
    await stage.publish(history())
    async with stage.console.browser("fr-FR,fr;q=0.9") as browser:
        await first_run(browser)
        html = await opened(browser, "/w/acme/insights?period=last_month&by=sentiment")
        french = Translator("fr")
        assert "Mentions par sentiment" in html
        assert figure_row(html, "mentions")[:1] == ["Mentions"]
        assert figure_row(html, "negative_share")[1:] == [
            french.percent(0.5),
            french.percent(0.25),
            french.percent(1.0, signed=True),
        ]
        assert french.day(months()[0]) in html
        assert ">Négatif</th>" in html

        reversed_range = await browser.get(
            "/w/acme/insights?period=custom&start=2026-11-30&end=2026-11-01"
        )
        assert reversed_range.status_code == 422
        assert "Le premier jour vient après le dernier." in reversed_range.text
        too_old = await browser.get(
            "/w/acme/insights?period=custom&start=1960-01-01&end=1960-12-31"
        )
        assert too_old.status_code == 422  # insights refuses it: a clear page, not a 500
        assert "choisissez des jours plus proches" in too_old.text
        bad = await browser.get("/w/acme/insights/export.csv?period=custom&start=x&end=y")
        assert bad.status_code == 400
        old_csv = "/w/acme/insights/export.csv?period=custom&start=1960-01-01&end=1960-01-31"
        assert (await browser.get(old_csv)).status_code == 400


async def test_the_time_to_notify_is_shown_per_channel_against_the_month_before(
    stage: Stage,
) -> None:
    events = history()
    await stage.publish([*notified(events), *events, *turned_off()])  # deliveries first may wait
    async with stage.console.browser() as browser:
        await first_run(browser)

        async def probe() -> str:
            page = await browser.get("/w/acme/insights?period=last_month")
            assert page.status_code == 200, page.text[:500]
            return page.text

        def timed(html: str) -> bool:
            """Both figures counted (rows still missing: not yet, rather than a failure)."""
            found = re.findall(r'<tr data-channel="([a-z_]+)">', html)
            if found != ["in_app", "email"] or 'data-figure="staff_unsubscribes"' not in html:
                return False
            unsubscribes = figure_row(html, "staff_unsubscribes")[1:3] == ["2", "1"]
            return unsubscribes and "10 min" in figure_row(html, "email", "channel")

        html = await eventually(probe, timed, timeout=120, what="latency per channel")
        assert "Time to notify, by channel" in html
        email = figure_row(html, "email", "channel")
        assert (email[0], email[1], email[4], email[5]) == ("Email", "2", "3 min", "10 min")
        assert NO_VALUE not in email[2:4]  # median and 90th percentile
        in_app = figure_row(html, "in_app", "channel")
        assert (in_app[0], in_app[1], in_app[4], in_app[5]) == ("In-app", "1", "2 hr", NO_VALUE)
        median = figure_row(html, "notification_latency_p50")
        assert median[0] == "Median time to notify"
        assert NO_VALUE not in median[1:3]
        staff_off = ["Notifications turned off by staff", "2", "1", "+100%"]
        assert figure_row(html, "staff_unsubscribes") == staff_off
        page = "/w/acme/insights?period=last_month"
        chosen = await browser.submit(page, "/language", {"language": "fr", "back": page})
        assert chosen.status_code == 303, chosen.text[:300]
        html = (await browser.get(page)).text
        french = Translator("fr")
        assert "Délai de notification, par canal" in html
        assert figure_row(html, "notification_latency_p50")[0] == "Délai médian de notification"
        assert figure_row(html, "staff_unsubscribes")[0] == "Notifications désactivées par l’équipe"
        email = figure_row(html, "email", "channel")
        assert (email[4], email[5]) == (french.duration(180), french.duration(600))


async def test_members_timeline_share_of_voice_and_stocks_are_sections_of_the_page(
    stage: Stage,
) -> None:
    await stage.publish([*history(), *community()])
    async with stage.console.browser() as browser:
        await first_run(browser)

        async def probe() -> str:
            page = await browser.get("/w/acme/insights?period=last_month")
            assert page.status_code == 200, page.text[:500]
            return page.text

        def counted(html: str) -> bool:
            return (
                figure_row(html, "mentions")[1:3] == ["6", "4"]
                and figure_row(html, "active", "members")[1:3] == ["2", "1"]
                and 'data-timeline="spike"' in html
                and 'data-event="ev1"' in html
            )

        html = await eventually(probe, counted, timeout=120, what="the sections")
        assert figure_row(html, "new", "members")[1:] == ["2", "1", "+100%"]
        assert figure_row(html, "returning", "members")[1:3] == ["1", "0"]
        assert figure_row(html, "2-3", "activity") == ["2-3", "2", "0"]  # mb1: vote, seat, door
        assert figure_row(html, "1", "activity") == ["1", "0", "1"]
        assert '<a href="/w/acme/community/members/mb0">mb0</a>' in html
        spike = figure_row(html, "spike", "timeline")
        assert spike[1:] == ["Spike", "2 mentions about the whole workspace (negative only)"]
        assert html.count('class="chart-mark"') == 1  # on the spike's day
        assert '<th scope="row">launch</th><td>3</td>' in html  # share of voice: 3 against 2
        assert "Mentions by tag, this period and the previous one" in html
        meetup = figure_row(html, "ev1", "event")
        assert (meetup[0], meetup[2:]) == ("Meetup", ["1", "0", "1", "100%", "0"])
        assert 'id="ideas-by-status"' in html

        page = "/w/acme/insights?period=last_month"
        chosen = await browser.submit(page, "/language", {"language": "fr", "back": page})
        assert chosen.status_code == 303, chosen.text[:300]
        french = (await browser.get(page)).text
        assert "Part de voix" in french
        assert "Pics et retenues de crise" in french
        assert figure_row(french, "spike", "timeline")[1] == "Pic"


async def test_an_admin_sets_the_zone_slas_and_weekly_report_and_a_bad_value_is_refused_by_name(
    stage: Stage,
) -> None:
    async with stage.console.browser() as browser:
        await first_run(browser)
        menu = await browser.get("/w/acme/settings")
        assert 'href="/w/acme/admin/insights"' in menu.text
        page = "/w/acme/admin/insights"
        shown = (await browser.get(page)).text
        assert "<option selected>UTC</option>" in shown
        assert 'name="sla_seconds.urgent" inputmode="decimal" required value="60"' in shown
        form = {
            "time_zone": "Europe/Paris",
            "sla_seconds.urgent": "30",
            "sla_seconds.high": "240",
            "sla_seconds.normal": "1440",
            "sla_seconds.low": "4320",
            "on_time_seconds": "600",
            "share_of_voice_tags": "launch, rival",
            "report.enabled": "on",
            "report.weekday": "4",
            "report.hour": "9",
            "report.roles": ["manager", "admin"],
            "report.teams": "comms",
            "report.people": "",
        }
        saved = await browser.submit(page, page, form)
        assert saved.status_code == 303, saved.text[:500]
        html = (await browser.get(saved.headers["location"])).text
        assert "The insights settings are saved." in html
        assert "<option selected>Europe/Paris</option>" in html
        assert 'name="sla_seconds.urgent" inputmode="decimal" required value="30"' in html
        assert 'value="launch, rival"' in html
        assert 'value="comms"' in html
        assert '<option value="4" selected>Friday</option>' in html
        assert '<option value="9" selected>09:00</option>' in html
        assert 'value="manager" checked' in html
        assert 'value="approver" >' in html

        refused = await browser.submit(page, page, {**form, "sla_seconds.urgent": "0.5"})
        assert refused.status_code == 422
        assert "an SLA is between 60 seconds and 90 days" in refused.text
        typed = await browser.submit(page, page, {**form, "sla_seconds.high": "soon"})
        assert typed.status_code == 422
        assert 'id="error-sla_seconds.high"' in typed.text
        assert 'value="soon"' in typed.text  # what was typed stays
        zone = await browser.submit(page, page, {**form, "time_zone": "Mars/Olympus"})
        assert zone.status_code == 422
        assert 'id="error-time_zone"' in zone.text
        unchanged = (await browser.get(page)).text
        assert 'name="sla_seconds.urgent" inputmode="decimal" required value="30"' in unchanged


async def test_a_manager_makes_last_months_first_weekly_report_and_reads_its_figures(
    stage: Stage,
) -> None:
    events = history()
    await stage.publish(events)
    last, _ = months()
    monday = last + timedelta(days=(7 - last.weekday()) % 7)
    week = [e.time.date() for e in events if e.type == "mention.received.v1"]
    expected = sum(1 for day in week if monday <= day <= monday + timedelta(days=6))
    async with stage.console.browser() as browser:
        await first_run(browser)
        await opened(browser, "/w/acme/insights?period=last_month")  # folded before the report
        listed = await browser.get("/w/acme/insights/reports")
        assert listed.status_code == 200
        assert "No report yet." in listed.text
        assert 'href="/w/acme/insights/reports"' in (await browser.get("/w/acme/insights")).text
        path = "/w/acme/insights/reports"
        tuesday = (monday + timedelta(days=1)).isoformat()
        refused = await browser.submit(path, path, {"start": tuesday})
        assert refused.status_code == 422
        assert 'id="error-start"' in refused.text
        assert "starts on a Monday" in refused.text
        made = await browser.submit(path, path, {"start": monday.isoformat()})
        assert made.status_code == 303, made.text[:500]
        assert made.headers["location"].startswith(f"{path}/{monday.isoformat()}")
        html = (await browser.get(made.headers["location"])).text
        assert "The report is made and sent to its recipients." in html
        assert figure_row(html, "mentions")[:2] == ["Mentions", str(expected)]
        assert 'data-chart="mentions"' in html
        assert "Mentions per day by sentiment" in html
        assert f'data-report="{monday.isoformat()}"' in (await browser.get(path)).text
        assert (await browser.get(f"{path}/2020-01-06")).status_code == 404
        assert (await browser.get(f"{path}/not-a-week")).status_code == 400
