"""CSV exports of a series or a breakdown (what the console's export button downloads)."""

from __future__ import annotations

import csv
import io

from ensemble_insights.models.api import Breakdown, Series


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _text(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def series_csv(series: Series) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    durations = series.kind == "duration"
    header = ["period", "value"]
    if durations:
        header += ["count", "p50_seconds", "p90_seconds"]
    previous = series.previous
    if previous is not None:
        header += ["previous_period", "previous_value"]
    writer.writerow(header)
    for n, point in enumerate(series.points):
        row = [point.period, _number(point.value)]
        if durations:
            stats = point.stats
            row += [
                str(stats.count) if stats else "0",
                _number(stats.p50_seconds if stats else None),
                _number(stats.p90_seconds if stats else None),
            ]
        if previous is not None:
            before = previous.points[n] if n < len(previous.points) else None
            row += [before.period if before else "", _number(before.value if before else None)]
        writer.writerow(row)
    return out.getvalue()


def breakdown_csv(breakdown: Breakdown) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([breakdown.by, "value", "share", "previous", "change"])
    for row in breakdown.rows:
        writer.writerow(
            [
                _text(row.value),
                _number(row.total),
                _number(row.share),
                _number(row.previous),
                _number(row.change),
            ]
        )
    return out.getvalue()
