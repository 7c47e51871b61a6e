"""The Insights page's periods and chart geometry: what each choice means on a given day,
the custom ranges refused, and charts whose axes fit the data."""

from __future__ import annotations

from datetime import date

import pytest

from ensemble_console.web import charts
from ensemble_console.web.periods import BadRange, resolve

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("choice", "start", "end"),
    [
        ("this_month", date(2026, 3, 1), TODAY),
        ("last_month", date(2026, 2, 1), date(2026, 2, 28)),
        ("last_7", date(2026, 3, 9), TODAY),
        ("last_30", date(2026, 2, 14), TODAY),
        ("last_90", date(2025, 12, 16), TODAY),
        ("nonsense", date(2026, 2, 14), TODAY),  # unknown: the default, last 30 days
    ],
)
def test_each_choice_means_a_range_ending_today_or_last_month(
    choice: str, start: date, end: date
) -> None:
    chosen = resolve(choice, TODAY, "2020-01-01", "2020-01-02")  # dates count only for custom
    assert (chosen.start, chosen.end) == (start, end)


def test_last_month_in_january_is_last_december() -> None:
    chosen = resolve("last_month", date(2027, 1, 3))
    assert (chosen.start, chosen.end) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("", "2026-03-01", "missing"),
        ("2026-13-01", "2026-03-01", "invalid"),
        ("2026-03-10", "2026-03-01", "reversed"),
        ("2026-03-01", "2026-03-16", "future"),
        ("2025-03-14", "2026-03-15", "too_long"),
    ],
)
def test_custom_ranges_that_cannot_be_shown_are_refused(start: str, end: str, reason: str) -> None:
    with pytest.raises(BadRange) as refused:
        resolve("custom", TODAY, start, end)
    assert refused.value.reason == reason


def test_a_custom_year_is_accepted() -> None:
    chosen = resolve("custom", TODAY, "2025-03-15", "2026-03-15")
    assert (chosen.start, chosen.end) == (date(2025, 3, 15), TODAY)


def test_the_axis_tops_at_a_round_number_with_whole_ticks_for_small_counts() -> None:
    assert [charts.nice_top(v) for v in (0, 0.4, 3, 7, 12, 480)] == [1, 0.5, 5, 10, 20, 500]
    small = charts.lines([0, 2, 1], [1, 0, 0])
    assert [t.value for t in small.ticks] == [0, 1, 2]
    means = charts.lines([0.2, 0.4], [])  # mean seconds or ratios may stay below 1
    assert [t.value for t in means.ticks] == [0, 0.125, 0.25, 0.375, 0.5]


def test_a_shorter_period_ends_before_a_longer_previous_one_on_the_same_axis() -> None:
    drawn = charts.lines([1.0] * 30, [1.0] * 31)
    assert drawn.current.count(" ") == 29
    assert drawn.previous.count(" ") == 30
    assert drawn.end_x < drawn.right
    assert float(drawn.previous.split()[-1].split(",")[0]) == drawn.right


def test_bars_scale_to_the_largest_of_both_periods() -> None:
    drawn = charts.bars([("mastodon", 4, 8), ("x", 2, 0)])
    first, second = drawn.bars
    assert first.previous_width == 2 * first.width
    assert second.width == first.width / 2
    assert second.previous_width == 0
