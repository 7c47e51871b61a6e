"""Report charts drawn to PNG with matplotlib (Agg backend, no display, no pyplot state).

Each call builds its own `Figure`, so concurrent requests never share drawing state; the
work is CPU-bound and callers run it in a thread.
"""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ensemble_insights.models.reports import ChartData
from ensemble_insights.models.texts import day_label, label

COLORS = {
    "positive": "#2da44e",
    "neutral": "#8c959f",
    "negative": "#cf222e",
}
PALETTE = ("#0969da", "#bf8700", "#8250df", "#1a7f37", "#cf222e")


def render(chart: ChartData, language: str) -> bytes:
    """The chart as PNG bytes, with its title and labels in `language` (en or fr)."""
    figure = Figure(figsize=(8, 3.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(label(f"chart.{chart.key}", language), loc="left", fontsize=12)
    if chart.kind == "comparison":
        _comparison(axes, chart, language)
    else:
        _bars(axes, chart, language)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(axes: Axes, chart: ChartData, language: str) -> None:
    days = [day_label(date.fromisoformat(d), language) for d in chart.labels]
    positions = list(range(len(days)))
    width = 0.8 / max(len(chart.series), 1) if chart.kind == "grouped" else 0.7
    bottom = [0.0] * len(days)
    for n, series in enumerate(chart.series):
        color = COLORS.get(series.key, PALETTE[n % len(PALETTE)])
        name = label(series.key, language)
        if chart.kind == "stacked":
            axes.bar(positions, series.values, width, bottom=bottom, label=name, color=color)
            bottom = [b + v for b, v in zip(bottom, series.values, strict=True)]
        else:
            shifted = [p - 0.4 + width * (n + 0.5) for p in positions]
            axes.bar(shifted, series.values, width, label=name, color=color)
    axes.set_xticks(positions, days)
    axes.legend(frameon=False, fontsize=9)


def _comparison(axes: Axes, chart: ChartData, language: str) -> None:
    """Change of each figure against the previous period, in percent (green up, red down)."""
    names = [label(key, language) for key in chart.labels]
    changes = chart.series[0].values
    positions = list(range(len(names)))
    colors = ["#2da44e" if value >= 0 else "#cf222e" for value in changes]
    axes.barh(positions, changes, 0.6, color=colors)
    axes.axvline(0, color="#57606a", linewidth=0.8)
    axes.set_yticks(positions, names)
    axes.invert_yaxis()
    axes.set_xlabel(label("change_percent", language))
