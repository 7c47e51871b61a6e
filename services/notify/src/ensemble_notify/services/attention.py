"""The attention budget: what goes now, what waits, what never goes.

`AttentionBudget.plan` sits between recipient resolution and delivery: a notification its
recipient turned off is dropped; one in a digest, in the person's quiet hours, or waiting for
an unread check is held (storage/digests.py) and released later by the digest loop
(services/digests.py); the rest go now.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ensemble_notify.channels.templates import Templates
from ensemble_notify.models.deliveries import ChannelName, delivery_id
from ensemble_notify.models.digests import HeldItem, HoldKind, period, stamp
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import Person
from ensemble_notify.models.preferences import (
    DIGESTS,
    Effective,
    Preferences,
    QuietHours,
    quiet_hours_of,
    quiet_until,
    resolve,
)
from ensemble_notify.services.unsubscribe import Unsubscribing
from ensemble_notify.storage.digests import HeldRepository
from ensemble_notify.storage.preferences import PreferenceRepository
from ensemble_shared.events import utcnow

log = logging.getLogger(__name__)
# Channels quiet hours hold back: the inbox is silent, so it always fills at once.
INTRUSIVE = frozenset({ChannelName.EMAIL, ChannelName.SLACK, ChannelName.TEAMS})
CHATS = frozenset({ChannelName.SLACK, ChannelName.TEAMS})


@dataclass(frozen=True)
class Resolved:
    """A notification recipient resolution found, and what the attention budget needs to
    judge it."""

    notification: Notification
    person: Person | None = None  # None: an endpoint, a member or an outside approver
    urgent: bool = False


def zone_of(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def title_of(templates: Templates, notification: Notification) -> str:
    try:
        return templates.render(notification, html=False).subject
    except Exception:  # a digest line must never fail the consumer
        log.warning("no digest title for %s", notification.event.type, exc_info=True)
        return notification.event.type


def freeze(notification: Notification) -> dict[str, object]:
    """The notification without its event, as stored with a held item."""
    return notification.model_dump(mode="json", exclude={"event"})


class AttentionBudget:
    def __init__(
        self,
        preferences: PreferenceRepository,
        held: HeldRepository,
        templates: Templates,
        links: Unsubscribing,
        *,
        digest_hour: int = 8,
    ) -> None:
        self._preferences = preferences
        self._held = held
        self._templates = templates
        self._links = links
        self._digest_hour = digest_hour

    async def plan(
        self, resolved: Sequence[Resolved], now: datetime | None = None
    ) -> list[Notification]:
        """The notifications to send now; the held ones are stored (idempotently) first."""
        now = now or utcnow()
        people = {
            (r.notification.event.workspace, r.person.id) for r in resolved if r.person is not None
        }
        workspaces = {workspace for workspace, _ in people}
        layers = await self._preferences.many([*people, *((w, None) for w in workspaces)])
        wanted_in_app = {
            (r.notification.event.id, r.notification.recipient)
            for r in resolved
            if r.person is not None
            and r.notification.channel is ChannelName.IN_APP
            and self._effective(r, layers).enabled
        }
        immediate: list[Notification] = []
        held: list[HeldItem] = []
        for r in resolved:
            notification, person = r.notification, r.person
            if person is None:
                immediate.append(notification)
                continue
            event = notification.event
            mine = layers.get((event.workspace, person.id))
            defaults = layers.get((event.workspace, None))
            effective = self._effective(r, layers)
            if not effective.enabled:
                continue
            if notification.channel is ChannelName.EMAIL and notification.unsubscribe_url is None:
                notification = notification.model_copy(
                    update={
                        "unsubscribe_url": self._links.url(
                            event.workspace, person.id, event.type, ChannelName.EMAIL
                        ),
                        "unsubscribe_page": self._links.page(
                            event.workspace, person.id, event.type, ChannelName.EMAIL
                        ),
                        "preferences_page": self._links.preferences(event.workspace, person.id),
                    }
                )
            elif notification.channel in CHATS:
                notification = notification.model_copy(
                    update={"preferences_page": self._links.signed_in_preferences(event.workspace)}
                )
            zone = zone_of(person)
            quiet = quiet_hours_of(mine, defaults)
            if effective.delivery in DIGESTS:
                start, end = period(effective.delivery, now, zone, self._digest_hour)
                group = f"{effective.delivery}:{stamp(start)}"
                held.append(
                    self._item(
                        notification, person, "digest", group, end, zone, quiet, now
                    ).model_copy(update={"cadence": effective.delivery})
                )
                continue
            quiet_end = quiet_until(now, zone, quiet) if not r.urgent else None
            if notification.channel in INTRUSIVE and quiet_end is not None:
                group = f"quiet:{stamp(quiet_end)}"
                held.append(
                    self._item(notification, person, "quiet", group, quiet_end, zone, None, now)
                )
                continue
            minutes = effective.email_if_unread_minutes
            if (
                notification.channel is ChannelName.EMAIL
                and minutes
                and (event.id, person.id) in wanted_in_app
            ):
                check_at = now + timedelta(minutes=minutes)
                if not r.urgent:
                    check_at = quiet_until(check_at, zone, quiet) or check_at
                in_app = delivery_id(event.id, person.id, ChannelName.IN_APP, "person")
                key = delivery_id(event.id, person.id, ChannelName.EMAIL, "person")
                item = self._item(
                    notification, person, "unread", f"unread:{key}", check_at, zone, None, now
                )
                held.append(item.model_copy(update={"unread_of": in_app}))
                continue
            immediate.append(notification)
        if held:
            await self._held.hold(held)
        return immediate

    def _effective(
        self, resolved: Resolved, layers: dict[tuple[str, str | None], Preferences]
    ) -> Effective:
        assert resolved.person is not None
        event = resolved.notification.event
        return resolve(
            event.type,
            resolved.notification.channel,
            layers.get((event.workspace, resolved.person.id)),
            layers.get((event.workspace, None)),
        )

    def _item(
        self,
        notification: Notification,
        person: Person,
        kind: HoldKind,
        group: str,
        due_at: datetime,
        zone: ZoneInfo,
        quiet: QuietHours | None,
        now: datetime,
    ) -> HeldItem:
        event = notification.event
        return HeldItem(
            id=delivery_id(event.id, notification.recipient, notification.channel, "person"),
            workspace=event.workspace,
            person=person.id,
            channel=notification.channel,
            kind=kind,
            group=f"{event.workspace}:{person.id}:{group}",
            due_at=due_at,
            event=event.model_dump_json(),
            notification=freeze(notification),
            zone=zone.key,
            quiet=quiet,
            title=title_of(self._templates, notification),
            created_at=now,
        )
