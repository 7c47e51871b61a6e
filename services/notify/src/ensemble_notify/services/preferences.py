"""Preference layers: workspace defaults (edited by admins) and each person's own.

Each layer is one document replaced under a version guard; a lost race is retried here. How a
notification is judged against the layers (drop, hold, send now) is the attention budget's
business (services/attention.py). A person's change that turns a preference off is announced
(`notification.unsubscribed`, one per preference turned off) in the same write, so insights
counts staff unsubscribes; turning off what is already off announces nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ensemble_notify.models.preferences import PreferenceRule, Preferences, PreferencesPut
from ensemble_notify.storage.preferences import PreferenceRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import Source, envelope, utcnow
from ensemble_shared.events.notifications import (
    NotificationUnsubscribedV1,
    UnsubscribedData,
    UnsubscribeVia,
)

_RETRIES = 5


def turned_off(before: Preferences, after: Preferences) -> list[PreferenceRule]:
    """The rules `after` turns off that `before` did not have off (same event and channel)."""
    was_off = {(r.event, r.channel) for r in before.rules if not r.enabled}
    return [r for r in after.rules if not r.enabled and (r.event, r.channel) not in was_off]


def unsubscribes(
    before: Preferences, after: Preferences, via: UnsubscribeVia
) -> list[NotificationUnsubscribedV1]:
    """One event per preference a person's change turned off (none for workspace defaults)."""
    person = after.person
    if person is None:
        return []
    subject = f"{after.workspace}/{person}"
    return [
        NotificationUnsubscribedV1(
            **envelope(Source.NOTIFY, after.workspace, subject),
            data=UnsubscribedData(
                person=person,
                event=rule.event,
                channel=str(rule.channel),
                via=via,
            ),
        )
        for rule in turned_off(before, after)
    ]


class PreferenceService:
    def __init__(self, preferences: PreferenceRepository) -> None:
        self._preferences = preferences

    async def get(self, workspace: str, person: str | None) -> Preferences:
        found = await self._preferences.get(workspace, person)
        return found or Preferences(workspace=workspace, person=person)

    async def put(self, workspace: str, person: str | None, body: PreferencesPut) -> Preferences:
        """Replace a layer (last write wins for whole-layer edits, retried on a lost race)."""

        def change(current: Preferences) -> Preferences:
            return current.model_copy(
                update={
                    "rules": body.rules,
                    "quiet_hours": body.quiet_hours,
                    "version": current.version + 1,
                    "updated_at": utcnow(),
                }
            )

        return await self._change(workspace, person, change, "preferences")

    async def set_rule(
        self, workspace: str, person: str, rule: PreferenceRule, via: UnsubscribeVia
    ) -> Preferences:
        return await self._change(workspace, person, lambda current: current.with_rule(rule), via)

    async def _change(
        self,
        workspace: str,
        person: str | None,
        change: Callable[[Preferences], Preferences],
        via: UnsubscribeVia,
    ) -> Preferences:
        for _ in range(_RETRIES):
            current = await self.get(workspace, person)
            changed = change(current)
            events = unsubscribes(current, changed, via)
            if await self._preferences.replace(changed, version=current.version, events=events):
                return changed
        raise Conflict("preferences changed meanwhile; read them and retry")
