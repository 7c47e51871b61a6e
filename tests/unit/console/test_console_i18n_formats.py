"""Dates and figures as a page shows them, made once and kept (`web/i18n.py`): what is kept
must never answer for another moment, zone or language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ensemble_console.web.i18n import Translator

STARTS = datetime(2026, 12, 12, 17, 0, tzinfo=UTC)  # 18:00 in Paris, 02:00 next day in Tokyo


def test_an_event_shows_where_it_happens_whatever_zone_its_instant_came_in() -> None:
    english = Translator("en")
    tokyo, new_york = ZoneInfo("Asia/Tokyo"), timezone(timedelta(hours=-5))
    same_instant = (STARTS, STARTS.astimezone(tokyo), STARTS.astimezone(new_york))
    assert {english.at_place(moment, "Europe/Paris") for moment in same_instant} == {
        "Saturday, December 12, 2026, 6:00\u202fPM"
    }
    assert english.at_place(STARTS, "Asia/Tokyo") == "Sunday, December 13, 2026, 2:00\u202fAM"
    # the same wall time in another zone is another instant, shown as such
    paris_wall = STARTS.replace(tzinfo=ZoneInfo("Europe/Paris"))
    shown = english.at_place(paris_wall, "Europe/Paris")
    assert shown == "Saturday, December 12, 2026, 5:00\u202fPM"


def test_each_language_and_person_zone_gets_its_own_text() -> None:
    french = Translator("fr", "America/New_York")
    assert french.at_place(STARTS, "Europe/Paris") == "samedi 12 décembre 2026, 18:00"
    assert french.span_at_place(STARTS, STARTS + timedelta(hours=2), "Europe/Paris") == (
        "samedi 12 décembre 2026, 18:00 \u2013 20:00"
    )
    assert french.when(STARTS, "short") == "12/12/2026 12:00"
    assert Translator("fr", "Asia/Tokyo").when(STARTS, "short") == "13/12/2026 02:00"
    assert Translator("en").when(STARTS, "short") == "12/12/26, 5:00\u202fPM"


def test_figures_keep_their_digits_and_language() -> None:
    assert Translator("en").number(1234.56, 1) == "1,234.6"
    assert Translator("en").number(1234.56) == "1,235"
    assert Translator("fr").number(1234) == "1\u202f234"
    assert Translator("en").number(None) == "\u2013"
