"""Report words and numbers in both languages, CSV cells, chart images."""

from __future__ import annotations

from datetime import date

from ensemble_insights.charts import render
from ensemble_insights.models.api import Breakdown, Period, Row
from ensemble_insights.models.reports import ChartData, ChartSeries
from ensemble_insights.models.texts import day_label, formatted, label
from ensemble_insights.services.export import breakdown_csv


def test_numbers_are_written_the_way_each_language_reads_them() -> None:
    assert formatted(12345, "count", "en") == "12,345"
    assert formatted(12345, "count", "fr") == "12\u202f345"
    assert formatted(0.125, "ratio", "fr") == "12\u202f%"
    assert formatted(0.125, "ratio", "en") == "12%"
    assert formatted(5400, "seconds", "en") == "1 h 30"
    assert formatted(30, "seconds", "en") == "1 min"
    assert formatted(3 * 86400, "seconds", "fr") == "3 j"
    assert formatted(None, "count", "en") == "—"
    assert label("mentions", "fr") == "Mentions"
    assert day_label(date(2026, 10, 26), "fr") == "lun 26"


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    breakdown = Breakdown(
        metric="author_mentions",
        kind="count",
        by="author",
        time_zone="UTC",
        period=Period(start=date(2026, 1, 1), end=date(2026, 1, 2)),
        rows=[Row(value="=HYPERLINK(1)", total=2), Row(value="ann", total=1.5)],
        total=3.5,
    )
    lines = breakdown_csv(breakdown).splitlines()
    assert lines[1].startswith("'=HYPERLINK(1),2,")
    assert lines[2].startswith("ann,1.500,")


def test_charts_are_png_images_in_both_languages() -> None:
    days = [date(2026, 10, 26 + n).isoformat() for n in range(6)]
    chart = ChartData(
        key="mentions",
        kind="stacked",
        labels=days,
        series=[ChartSeries(key=s, values=[1, 2, 3, 4, 5, 6]) for s in ("positive", "negative")],
    )
    comparison = ChartData(
        key="comparison",
        kind="comparison",
        labels=["mentions", "votes"],
        series=[ChartSeries(key="change_percent", values=[12.5, -40])],
    )
    for language in ("en", "fr"):
        for drawn in (chart, comparison):
            assert render(drawn, language).startswith(b"\x89PNG\r\n\x1a\n")
    assert render(chart, "en") != render(chart, "fr")
