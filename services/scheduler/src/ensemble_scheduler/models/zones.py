"""IANA time zones by name: slot plans and cron jobs are wall-clock times in a zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ensemble_shared.inputs import time_zone


def zone(name: str) -> ZoneInfo:
    """The IANA zone named; ValueError (→ 422 naming `time_zone`) if there is none."""
    try:
        return time_zone(name)
    except ValueError:
        raise ValueError(f"time_zone: unknown time zone {name!r}") from None
