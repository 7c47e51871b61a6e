"""Series keys, dimension variants and duration histograms."""

from __future__ import annotations

from datetime import date

import pytest

from ensemble_insights.models.api import Period
from ensemble_insights.models.series import (
    bin_bounds,
    bin_of,
    durations,
    key,
    parse,
    percentile,
    variants,
)
from ensemble_insights.services.reading import previous


def test_a_key_names_its_dimensions_in_order_and_survives_odd_values() -> None:
    series = key("mentions", {"tag": "a|b=c%", "platform": "x", "team": None})
    assert series == "mentions|platform=x|tag=a%7Cb%3Dc%25"
    assert parse(series) == ("mentions", {"platform": "x", "tag": "a|b=c%"})


def test_variants_count_an_occurrence_overall_by_each_dimension_and_by_kept_pairs() -> None:
    keys = variants(
        "mentions",
        {"platform": "x", "sentiment": "negative", "team": None},
        crosses=(("platform", "sentiment"), ("sentiment", "tag")),
        many={"tag": ["a", "b", "a"]},
    )
    assert sorted(keys) == sorted(
        [
            "mentions",
            "mentions|platform=x",
            "mentions|sentiment=negative",
            "mentions|platform=x|sentiment=negative",
            "mentions|tag=a",
            "mentions|sentiment=negative|tag=a",
            "mentions|tag=b",
            "mentions|sentiment=negative|tag=b",
        ]
    )


def test_a_duration_adds_its_seconds_one_count_and_one_bin_per_key() -> None:
    found = durations(10.0, "inbox", ["reply_time", "reply_time|team=s"], 125.4)
    assert (10.0, "inbox", "reply_time.sum", 125) in found
    assert (10.0, "inbox", "reply_time.count|team=s", 1) in found
    assert (10.0, "inbox", f"reply_time.bin.{bin_of(125)}|team=s", 1) in found
    assert len(found) == 6


@pytest.mark.parametrize("seconds", [0, 1, 59, 61, 3600, 86_400, 2_600_000])
def test_a_duration_falls_within_its_bin(seconds: int) -> None:
    low, high = bin_bounds(bin_of(seconds))
    assert low <= seconds < high + 1e-6
    assert high <= max(low * 1.25 + 1.25, 1.0)


def test_percentiles_stay_within_a_bin_of_the_exact_value() -> None:
    values = [60 * n for n in range(1, 101)]  # 1 to 100 minutes
    bins: dict[int, int] = {}
    for value in values:
        bins[bin_of(value)] = bins.get(bin_of(value), 0) + 1
    median = percentile(bins, 0.5)
    assert median is not None
    assert abs(median - 3000) / 3000 < 0.25
    assert percentile({}, 0.5) is None


def test_whole_months_compare_with_the_months_before_other_periods_with_as_many_days() -> None:
    november = Period(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert previous(november) == Period(start=date(2026, 10, 1), end=date(2026, 10, 31))
    quarter = Period(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert previous(quarter) == Period(start=date(2025, 10, 1), end=date(2025, 12, 31))
    week = Period(start=date(2026, 11, 2), end=date(2026, 11, 8))
    assert previous(week) == Period(start=date(2026, 10, 26), end=date(2026, 11, 1))
