"""Slot math across DST, the iCalendar rendering and feed tokens of the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest
from icalendar import Calendar
from pydantic import ValidationError

from ensemble_scheduler.models.calendar import CalendarEntry, SlotPlanIn
from ensemble_scheduler.services.feeds import FeedSigner
from ensemble_scheduler.services.ics import render_ics
from ensemble_scheduler.services.slots import occurrences
from ensemble_shared.errors import Unauthenticated

WEEKDAYS_0930 = SlotPlanIn.model_validate(
    {
        "time_zone": "Europe/Paris",
        "slots": [{"days": ["mon", "tue", "wed", "thu", "fri"], "at": "09:30"}],
    }
)


def test_weekday_slots_skip_the_weekend() -> None:
    friday_noon = datetime(2026, 1, 9, 11, 0, tzinfo=UTC)  # Friday 12:00 Paris
    nxt = list(islice(occurrences(WEEKDAYS_0930, friday_noon), 2))
    assert nxt == [
        datetime(2026, 1, 12, 8, 30, tzinfo=UTC),  # Monday 09:30 CET
        datetime(2026, 1, 13, 8, 30, tzinfo=UTC),
    ]


def test_a_slot_keeps_its_wall_clock_time_across_the_spring_change() -> None:
    # Europe/Paris goes from UTC+1 to UTC+2 on Sunday 29 March 2026.
    friday = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    monday, tuesday = islice(occurrences(WEEKDAYS_0930, friday), 2)
    assert monday == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # 09:30 CEST
    assert tuesday - monday == timedelta(days=1)


def test_a_slot_keeps_its_wall_clock_time_across_the_autumn_change() -> None:
    friday = datetime(2026, 10, 23, 9, 0, tzinfo=UTC)
    monday = next(occurrences(WEEKDAYS_0930, friday))
    assert monday == datetime(2026, 10, 26, 8, 30, tzinfo=UTC)  # back to CET


def test_a_slot_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    plan = SlotPlanIn.model_validate(
        {"time_zone": "Europe/Paris", "slots": [{"days": ["sun"], "at": "02:30"}]}
    )
    slot = next(occurrences(plan, datetime(2026, 3, 28, tzinfo=UTC)))
    assert slot == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST, an instant that exists


def test_a_slot_in_the_autumn_overlap_fires_once_at_its_first_occurrence() -> None:
    plan = SlotPlanIn.model_validate(
        {"time_zone": "Europe/Paris", "slots": [{"days": ["sun"], "at": "02:30"}]}
    )
    first, second = islice(occurrences(plan, datetime(2026, 10, 24, tzinfo=UTC)), 2)
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST (fold 0)
    assert second - first == timedelta(days=7, hours=1)


def test_occurrences_are_strictly_after_and_in_order() -> None:
    plan = SlotPlanIn.model_validate(
        {
            "time_zone": "America/New_York",
            "slots": [{"days": ["mon"], "at": "17:00"}, {"days": ["mon", "tue"], "at": "08:00"}],
        }
    )
    start = datetime(2026, 1, 5, 13, 0, tzinfo=UTC)  # Monday 08:00 New York, exactly
    got = list(islice(occurrences(plan, start), 3))
    assert got == sorted(got)
    assert start not in got
    assert got[0] == datetime(2026, 1, 5, 22, 0, tzinfo=UTC)


def test_an_unknown_time_zone_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="time_zone"):
        SlotPlanIn.model_validate(
            {"time_zone": "Mars/Olympus", "slots": [{"days": ["mon"], "at": "09:00"}]}
        )


def test_the_ics_feed_has_one_event_per_item_with_a_stable_uid() -> None:
    at = datetime(2026, 5, 4, 7, 30, tzinfo=UTC)
    entries = [
        CalendarEntry(
            content_id="c1",
            channel="mastodon",
            slot_at=at,
            title='Launch, day 1; "quoted"',
            status="scheduled",
            sequence=3,
        )
    ]
    raw = render_ics("Ensemble acme", entries, public_url="https://x.test", now=at)
    parsed = Calendar.from_ical(raw)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == "c1@ensemble"
    assert event.decoded("dtstart") == at
    assert str(event["sequence"]) == "3"
    assert str(event["summary"]) == '[mastodon] Launch, day 1; "quoted"'
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")


def test_feed_tokens_are_bound_to_a_workspace_and_expire() -> None:
    signer = FeedSigner("s3cret")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    token = signer.sign("f-1", "acme", "legal", now + timedelta(days=1))
    assert signer.verify(token, now=now) == ("f-1", "acme", "legal")
    with pytest.raises(Unauthenticated, match="expired"):
        signer.verify(token, now=now + timedelta(days=2))
    head, payload, mac = token.split(".")
    with pytest.raises(Unauthenticated):
        signer.verify(f"{head}.{payload}x.{mac}", now=now)
    with pytest.raises(Unauthenticated):
        FeedSigner("other").verify(token, now=now)


@pytest.mark.parametrize("token", ["é" * 12, "ünï.cödé.✓✓✓✓✓"])
def test_a_feed_token_with_non_ascii_text_is_refused_like_any_forged_one(token: str) -> None:
    with pytest.raises(Unauthenticated, match="not valid"):
        FeedSigner("s3cret").verify(token, now=datetime(2026, 1, 1, tzinfo=UTC))
