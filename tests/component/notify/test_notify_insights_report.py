"""Insights' weekly report reaches the people it names, over a real SMTP server: each in their
own language, with the figures and the chart images, and no one else."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from email.message import EmailMessage

from ensemble_shared.events import utcnow
from ensemble_shared.events.insights import (
    Localized,
    ReportChart,
    ReportData,
    ReportFigure,
    ReportPublishedV1,
)
from support.notify import NotifyDriver
from support.notify_smtp import Mailbox
from support.waiting import eventually

CHART = "https://insights.example.org/insights/reports/2026-10-26/charts/mentions.png?token="


def a_report(**recipients: tuple[str, ...]) -> ReportPublishedV1:
    return ReportPublishedV1(
        source="ensemble/insights",
        subject="acme:2026-10-26",
        workspace="acme",
        data=ReportData(
            report_id="2026-10-26",
            start=date(2026, 10, 26),
            end=date(2026, 11, 1),
            previous_start=date(2026, 10, 19),
            previous_end=date(2026, 10, 25),
            time_zone="Europe/Paris",
            title=Localized(en="Your week in the community", fr="Votre semaine communauté"),
            summary=Localized(
                en="1,204 mentions, up 12%.", fr="1 204 mentions, en hausse de 12 %."
            ),
            figures=(
                ReportFigure(
                    key="mentions",
                    label=Localized(en="Mentions", fr="Mentions"),
                    value=1204,
                    previous=1075,
                    change=0.12,
                    text=Localized(en="1,204", fr="1 204"),
                ),
            ),
            charts=(
                ReportChart(
                    key="mentions",
                    title=Localized(en="Mentions per day", fr="Mentions par jour"),
                    urls=Localized(en=f"{CHART}en-token", fr=f"{CHART}fr-token"),
                ),
            ),
            expires_at=utcnow() + timedelta(days=30),
            **recipients,
        ),
    )


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


async def test_the_weekly_report_reaches_its_readers_in_their_language(
    notify: NotifyDriver, mailbox: Mailbox
) -> None:
    await notify.put_person(
        "max", name="Max", email="max@acme.example", roles=["manager"], language="en"
    )
    await notify.put_person(
        "mia", name="Mia", email="mia@acme.example", roles=["manager"], language="fr"
    )
    await notify.put_person("ada", name="Ada", email="ada@acme.example", roles=["approver"])
    await notify.put_person("olga", name="Olga", email="olga@acme.example")
    await notify.publish(a_report(roles=("manager",), people=("olga",)))
    await eventually(lambda: asyncio.sleep(0, mailbox.messages), lambda m: len(m) >= 3)
    await asyncio.sleep(1.0)  # nothing else arrives
    by_recipient = {to: message for tos, message in mailbox.messages for to in tos}
    assert sorted(by_recipient) == ["max@acme.example", "mia@acme.example", "olga@acme.example"]

    english, french = by_recipient["max@acme.example"], by_recipient["mia@acme.example"]
    assert "Your week in the community" in str(english["Subject"])
    assert "Votre semaine communauté" in str(french["Subject"])
    assert "1,204" in body(english, "plain")
    assert f"{CHART}en-token" in body(english, "plain")
    assert "1 204" in body(french, "plain")
    assert f"{CHART}fr-token" in body(french, "plain")
    assert f'src="{CHART}fr-token"' in body(french, "html")
    assert "+12" in body(french, "plain")
