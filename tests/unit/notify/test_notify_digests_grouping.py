"""The attention budget (drop, hold, pass) and digests: one message per channel per group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from ensemble_notify.channels.email import EmailChannel, EmailPayload, SmtpConfig
from ensemble_notify.channels.templates import Templates
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.digests import HeldItem, HoldKind
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import Person
from ensemble_notify.models.preferences import PreferenceRule, Preferences, QuietHours
from ensemble_notify.services.attention import AttentionBudget, Resolved
from ensemble_notify.services.composition import compose
from ensemble_notify.services.digests import digest_notifications
from ensemble_shared.smtp import SmtpServer
from support.notify_events import an_assignment

TEMPLATES = Templates()
NOON = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)  # 12:00 in Paris
EMAIL, IN_APP = ChannelName.EMAIL, ChannelName.IN_APP


class Layers:
    def __init__(self, *layers: Preferences) -> None:
        self._layers = {(p.workspace, p.person): p for p in layers}

    async def many(
        self, keys: Iterable[tuple[str, str | None]]
    ) -> dict[tuple[str, str | None], Preferences]:
        return {k: self._layers[k] for k in keys if k in self._layers}


class Held:
    def __init__(self) -> None:
        self.items: list[HeldItem] = []

    async def hold(self, items: Sequence[HeldItem]) -> list[str]:
        self.items.extend(items)
        return [i.id for i in items]


class Links:
    def url(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        return f"https://notify.test/unsubscribe?token={person}.{event}.{channel.value}"

    def page(self, workspace: str, person: str, event: str, channel: ChannelName) -> str:
        return f"https://app.test/hooks/unsubscribe/{person}.{event}.{channel.value}"

    def preferences(self, workspace: str, person: str) -> str | None:
        return f"https://app.test/hooks/preferences/{person}"

    def signed_in_preferences(self, workspace: str) -> str:
        return f"https://app.test/w/{workspace}/notifications/preferences"


CAMILLE = Person(
    id="camille", workspace="acme", name="Camille", email="c@acme.example", time_zone="Europe/Paris"
)


def budget(*layers: Preferences) -> tuple[AttentionBudget, Held]:
    held = Held()
    found = AttentionBudget(cast(Any, Layers(*layers)), cast(Any, held), TEMPLATES, Links())
    return found, held


def resolved(channel: ChannelName, *, urgent: bool = False, event: Any = None) -> Resolved:
    notification = Notification(
        event=event or an_assignment("camille"),
        channel=channel,
        recipient="camille",
        address="c@acme.example" if channel is EMAIL else "camille",
        name="Camille",
    )
    return Resolved(notification, CAMILLE, urgent)


def mine(*rules: PreferenceRule, quiet: QuietHours | None = None) -> Preferences:
    return Preferences(workspace="acme", person="camille", rules=list(rules), quiet_hours=quiet)


async def test_without_preferences_everything_goes_now_with_an_unsubscribe_link() -> None:
    attention, held = budget()
    found = await attention.plan([resolved(EMAIL), resolved(IN_APP)], NOON)
    assert [n.channel for n in found] == [EMAIL, IN_APP]
    assert held.items == []
    assert found[0].unsubscribe_url == (
        "https://notify.test/unsubscribe?token=camille.mention.assigned.v1.email"
    )
    assert found[0].unsubscribe_page == (
        "https://app.test/hooks/unsubscribe/camille.mention.assigned.v1.email"
    )
    assert found[1].unsubscribe_url is None


async def test_a_preference_turned_off_sends_nothing_on_that_channel() -> None:
    attention, held = budget(mine(PreferenceRule(channel=EMAIL, enabled=False)))
    found = await attention.plan([resolved(EMAIL), resolved(IN_APP)], NOON)
    assert [n.channel for n in found] == [IN_APP]
    assert held.items == []


async def test_digest_items_are_held_in_the_period_of_the_persons_zone() -> None:
    attention, held = budget(mine(PreferenceRule(channel=EMAIL, delivery="daily")))
    found = await attention.plan([resolved(EMAIL), resolved(IN_APP)], NOON)
    assert [n.channel for n in found] == [IN_APP]
    [item] = held.items
    assert item.kind == "digest"
    assert item.cadence == "daily"
    assert item.group == "acme:camille:daily:20260601T0600Z"  # from 08:00 Paris
    assert item.due_at == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)
    assert item.title == "A mention was assigned to you"


async def test_quiet_hours_hold_intrusive_channels_but_not_the_inbox_nor_urgent_items() -> None:
    lunch = QuietHours.model_validate({"start": "11:30", "end": "13:00"})
    attention, held = budget(mine(quiet=lunch))
    found = await attention.plan([resolved(EMAIL), resolved(IN_APP)], NOON)
    assert [n.channel for n in found] == [IN_APP]
    [item] = held.items
    assert (item.kind, item.due_at) == ("quiet", datetime(2026, 6, 1, 11, 0, tzinfo=UTC))
    urgent = await attention.plan([resolved(EMAIL, urgent=True)], NOON)
    assert [n.channel for n in urgent] == [EMAIL]


async def test_email_if_unread_waits_for_a_check_only_when_the_inbox_gets_it_too() -> None:
    rule = PreferenceRule(channel=EMAIL, email_if_unread_minutes=30)
    attention, held = budget(mine(rule))
    event = an_assignment("camille")
    found = await attention.plan(
        [resolved(EMAIL, event=event), resolved(IN_APP, event=event)], NOON
    )
    assert [n.channel for n in found] == [IN_APP]
    [item] = held.items
    event_id = event.id
    assert item.kind == "unread"
    assert item.unread_of == f"{event_id}:camille:in_app"
    assert item.due_at == datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    alone = await attention.plan([resolved(EMAIL)], NOON)  # no inbox item to read: send
    assert [n.channel for n in alone] == [EMAIL]


def held_item(kind: HoldKind, channel: ChannelName, minute: int, **fields: Any) -> HeldItem:
    event = an_assignment("camille")
    notification = Notification(
        event=event, channel=channel, recipient="camille", address="c@acme.example", language="fr"
    )
    return HeldItem(
        id=f"{event.id}:camille:{channel.value}",
        workspace="acme",
        person="camille",
        channel=channel,
        kind=kind,
        group="g",
        due_at=datetime(2026, 6, 2, 6, 0, tzinfo=UTC),
        event=event.model_dump_json(),
        notification=notification.model_dump(mode="json", exclude={"event"}),
        zone="Europe/Paris",
        title=f"item {minute}",
        created_at=datetime(2026, 6, 1, 10, minute, tzinfo=UTC),
        **fields,
    )


def test_a_digest_is_one_message_per_channel_listing_every_item_in_order() -> None:
    items = [held_item("digest", EMAIL, m, cadence="daily") for m in (3, 1, 2)]
    items.append(held_item("digest", IN_APP, 4, cadence="daily"))
    found = digest_notifications("acme:camille:daily:x", items, Links())
    assert sorted(n.channel for n in found) == [EMAIL, IN_APP]
    email = next(n for n in found if n.channel is EMAIL)
    assert email.event.id == "digest:acme:camille:daily:x"
    assert [i.title for i in email.event.data.items] == ["item 1", "item 2", "item 3"]  # type: ignore[attr-defined]
    assert email.unsubscribe_url
    assert ".*.email" in email.unsubscribe_url
    planned = compose(
        found, {EMAIL: EmailChannel(SmtpConfig(SmtpServer("h", 25), "x@y.org", "y.org"), TEMPLATES)}
    )
    [delivery] = [d for d in planned.ready if d.channel is EMAIL]
    assert delivery.id == "digest:acme:camille:daily:x:camille:email"
    payload = EmailPayload.model_validate_json(delivery.payload)
    assert payload.subject == "Votre récapitulatif quotidien : 3 notifications"
    assert "item 1" in payload.text
    assert "item 3" in payload.html


def test_one_item_held_by_quiet_hours_goes_as_it_was() -> None:
    [item] = [held_item("quiet", EMAIL, 1)]
    [found] = digest_notifications("acme:camille:quiet:x", [item], Links())
    assert found.event.type == "mention.assigned.v1"
    two = digest_notifications(
        "acme:camille:quiet:x", [item, held_item("quiet", EMAIL, 2)], Links()
    )
    assert [n.event.type for n in two] == ["notification.digest.v1"]
