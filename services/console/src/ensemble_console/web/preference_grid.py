"""A person's notification preferences as one form: a grid of event groups by channels, each
cell "as the workspace decides", off, immediate or a digest; and quiet hours.

Notify keeps preferences as rules (event glob x channel); the grid reads and writes the rules
of its own cells only, so a rule set by other means (an unsubscribe link's exact event type)
is kept as it is when the form is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from ensemble_console.models.notify import PreferenceRule, Preferences

EVENTS = ("*", "approval.*", "content.*", "mention.*", "submission.*")
CHANNELS = ("email", "in_app", "slack", "teams")
CHOICES = ("", "off", "immediate", "hourly", "daily", "weekly")  # "": the workspace's default


def field(event: str, channel: str) -> str:
    return f"pref:{event}:{channel}"


def choice(rule: PreferenceRule) -> str:
    return rule.delivery if rule.enabled else "off"


def cells(preferences: Preferences) -> dict[str, str]:
    """Each cell's current choice, by form field name."""
    return {
        field(r.event, r.channel): choice(r)
        for r in preferences.rules
        if r.event in EVENTS and r.channel in CHANNELS
    }


def shown(preferences: Preferences) -> dict[str, Any]:
    """What the grid's template (`notifications/_grid.html`) shows of one layer."""
    return {
        "cells": cells(preferences),
        "quiet": preferences.quiet_hours,
        "events": EVENTS,
        "channels": CHANNELS,
        "choices": CHOICES,
        "field": field,
    }


class GridError(ValueError):
    """The form holds a value no cell offers, or quiet hours that are not a window."""


def to_body(form: Mapping[str, str], current: Preferences) -> dict[str, Any]:
    """Notify's `PUT /me/preferences` body for the posted grid; GridError for bad input."""
    kept = [
        r.model_dump(mode="json")
        for r in current.rules
        if not (r.event in EVENTS and r.channel in CHANNELS)
    ]
    rules: list[dict[str, Any]] = []
    for event in EVENTS:
        for channel in CHANNELS:
            value = form.get(field(event, channel), "")
            if value not in CHOICES:
                raise GridError(field(event, channel))
            if value == "off":
                rules.append({"event": event, "channel": channel, "enabled": False})
            elif value:
                rules.append({"event": event, "channel": channel, "delivery": value})
    return {"rules": kept + rules, "quiet_hours": _quiet(form)}


def _quiet(form: Mapping[str, str]) -> dict[str, Any]:
    """On: the window; off: explicitly none, whatever the workspace's default says."""
    try:
        start = time.fromisoformat(form.get("quiet_start", ""))
        end = time.fromisoformat(form.get("quiet_end", ""))
    except ValueError as exc:
        raise GridError("quiet hours") from exc
    if start == end:
        raise GridError("quiet hours")
    return {
        "start": start.isoformat("minutes"),
        "end": end.isoformat("minutes"),
        "enabled": form.get("quiet") == "on",
    }
