"""Series and breakdowns of one metric, with filters and the previous period.

What may be asked is the catalogue's: a filter or a breakdown on a dimension the metric is
kept by, both together only for the pairs it keeps crossed. Hours span at most 31 days (they
read quarter-hours), days at most 400. Counts add up; a duration's value is its mean (with
count and percentiles beside); a distinct metric counts the keys seen at least once.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Mapping
from datetime import date
from typing import Protocol

from ensemble_insights.models.api import Breakdown, Period, Point, Row, Series, Stats, change
from ensemble_insights.models.catalog import CATALOG, Metric
from ensemble_insights.models.rollups import View
from ensemble_insights.models.series import COUNT, SUM, key, unescape
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.reading import (
    Buckets,
    Reader,
    duration_keys,
    previous,
    series_keys_matching,
    stats_of,
)
from ensemble_shared.errors import Invalid

MAX_DAYS = 400
MAX_HOURLY_DAYS = 31
FIRST_DAY, LAST_DAY = date(1971, 1, 1), date(2199, 12, 31)


def metric_of(name: str) -> Metric:
    try:
        return CATALOG[name]
    except KeyError:
        raise Invalid(f"metric: unknown metric {name!r} (see GET /insights/catalog)") from None


def check_period(period: Period, granularity: str = "day") -> None:
    for name, day in (("start", period.start), ("end", period.end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid(f"{name}: between {FIRST_DAY} and {LAST_DAY}")
    length = (period.end - period.start).days + 1
    if length < 1:
        raise Invalid("end: the period ends before it starts")
    limit = MAX_HOURLY_DAYS if granularity == "hour" else MAX_DAYS
    if length > limit:
        raise Invalid(f"end: at most {limit} days by {granularity}")


def check_dims(metric_name: str, metric: Metric, fixed: Mapping[str, str], by: str | None) -> None:
    if fixed and metric.kind == "distinct":
        raise Invalid(f"{metric_name}: a distinct metric takes no filter")
    for dim in [*fixed, *([by] if by else [])]:
        if dim not in metric.dims:
            kept = ", ".join(metric.dims) or "none"
            raise Invalid(f"{metric_name} is not kept by {dim!r} (kept by: {kept})")
    if len(fixed) > 1:
        raise Invalid("filter: one dimension at a time")
    if fixed and by and by in fixed:
        raise Invalid("filter: already the dimension of the breakdown")
    if fixed and by and not metric.pair_kept(next(iter(fixed)), by):
        raise Invalid(f"{metric_name}: {next(iter(fixed))} and {by} are not kept together")


def wanted_keys(
    metric_name: str, metric: Metric, buckets: Buckets, fixed: Mapping[str, str]
) -> list[str]:
    """The series a metric (under `fixed`) is computed from."""
    if metric.kind == "count":
        return [key(metric_name, fixed)]
    if metric.kind == "distinct":
        return [s for s in buckets.series_names() if s.startswith(f"{metric_name}|")]
    tail = key("", fixed)
    return [
        f"{metric_name}{SUM}{tail}",
        f"{metric_name}{COUNT}{tail}",
        *duration_keys(metric_name, fixed, buckets.series_names()),
    ]


def evaluate(
    metric_name: str, metric: Metric, fixed: Mapping[str, str], totals: Mapping[str, int]
) -> tuple[float | None, Stats | None]:
    """A metric's value from the totals of its series: a sum, a distinct count, or a mean
    (with its statistics)."""
    if metric.kind == "count":
        return float(totals.get(key(metric_name, fixed), 0)), None
    if metric.kind == "distinct":
        return float(sum(1 for n in totals.values() if n > 0)), None
    stats = stats_of(metric_name, fixed, totals)
    return stats.mean_seconds, stats


def total_of(
    metric_name: str,
    metric: Metric,
    buckets: Buckets,
    fixed: Mapping[str, str],
    labels: list[str] | None = None,
) -> tuple[float | None, Stats | None]:
    """The metric over `labels` (all by default): its value, and stats for durations."""
    totals = buckets.per_key(wanted_keys(metric_name, metric, buckets, fixed), labels)
    return evaluate(metric_name, metric, fixed, totals)


class ViewSource(Protocol):
    """How a workspace's rollups are read now (`storage.settings.Views`)."""

    async def get(self, workspace: str) -> View | None: ...


class SettingsSource(Protocol):
    """Stored workspace settings (`storage.settings.SettingsRepository`)."""

    async def get(self, workspace: str) -> WorkspaceSettings | None: ...


class Queries:
    def __init__(self, reader: Reader, views: ViewSource, settings: SettingsSource) -> None:
        self.reader = reader
        self._views = views
        self._settings = settings

    async def settings_of(self, workspace: str) -> WorkspaceSettings:
        return await self._settings.get(workspace) or WorkspaceSettings.default(workspace)

    async def view(self, workspace: str) -> View:
        """The zone the workspace's days are kept in now (its setting, once re-derived), and
        its stamp."""
        found = await self._views.get(workspace)
        return found or View((await self.settings_of(workspace)).time_zone)

    async def zone(self, workspace: str) -> str:
        return (await self.view(workspace)).zone

    async def series(
        self,
        workspace: str,
        metric_name: str,
        period: Period,
        *,
        granularity: str = "day",
        fixed: Mapping[str, str] | None = None,
        compare: bool = False,
    ) -> Series:
        metric = metric_of(metric_name)
        fixed = dict(fixed or {})
        check_period(period, granularity)
        check_dims(metric_name, metric, fixed, None)
        zone, stamp = await self.view(workspace)
        before = previous(period)
        family = metric.family
        if granularity == "hour":
            reads = [self.reader.hourly(workspace, zone, family, period, stamp=stamp)]
            if compare:
                reads.append(self.reader.hourly(workspace, zone, family, before, stamp=stamp))
            found = await asyncio.gather(*reads)
            halves = [(found[0], found[0].labels)]
            if compare:
                halves.append((found[1], found[1].labels))
        else:  # both periods in one read: they are contiguous
            span = Period(start=before.start if compare else period.start, end=period.end)
            found_days = await self.reader.daily(workspace, zone, [family], span, stamp=stamp)
            buckets = found_days[family]
            split = period.start.isoformat()
            halves = [(buckets, [label for label in buckets.labels if label >= split])]
            if compare:
                halves.append((buckets, [label for label in buckets.labels if label < split]))
        totals: dict[int, dict[str, dict[str, int]]] = {}  # per_label once per read
        for buckets, _ in halves:
            if id(buckets) not in totals:
                wanted = wanted_keys(metric_name, metric, buckets, fixed)
                totals[id(buckets)] = buckets.per_label(wanted)
        shown = [
            self._series(zone, metric_name, metric, fixed, half, granularity, totals[id(b)], labels)
            for half, (b, labels) in zip((period, before), halves, strict=False)
        ]
        current = shown[0]
        if compare:
            current.previous = shown[1]
            current.change = change(current.total, shown[1].total)
        return current

    @staticmethod
    def _series(
        zone: str,
        metric_name: str,
        metric: Metric,
        fixed: dict[str, str],
        period: Period,
        granularity: str,
        per_label: dict[str, dict[str, int]],
        labels: list[str],
    ) -> Series:
        """One period's series from the totals of its labels."""
        points = []
        overall: dict[str, int] = {}
        for label in labels:
            value, stats = evaluate(metric_name, metric, fixed, per_label[label])
            points.append(Point(period=label, value=value, stats=stats))
            for series, amount in per_label[label].items():
                overall[series] = overall.get(series, 0) + amount
        total, stats = evaluate(metric_name, metric, fixed, overall)
        return Series(
            metric=metric_name,
            kind=metric.kind,
            filter=fixed,
            granularity="hour" if granularity == "hour" else "day",
            time_zone=zone,
            period=period,
            points=points,
            total=total,
            stats=stats,
        )

    async def breakdown(
        self,
        workspace: str,
        metric_name: str,
        by: str,
        period: Period,
        *,
        fixed: Mapping[str, str] | None = None,
        compare: bool = False,
        limit: int = 50,
        only: set[str] | None = None,
    ) -> Breakdown:
        metric = metric_of(metric_name)
        fixed = dict(fixed or {})
        check_period(period)
        check_dims(metric_name, metric, fixed, by)
        zone, stamp = await self.view(workspace)
        before = previous(period)
        span = Period(start=before.start if compare else period.start, end=period.end)
        found = await self.reader.daily(workspace, zone, [metric.family], span, stamp=stamp)
        buckets = found[metric.family]
        now_labels = [label for label in buckets.labels if label >= period.start.isoformat()]
        then_labels = [label for label in buckets.labels if label < period.start.isoformat()]
        values = self._values(metric_name, metric, by, fixed, buckets, now_labels)
        if only is not None:
            values = {value: found for value, found in values.items() if value in only}
        ranked = heapq.nsmallest(limit, values.items(), key=lambda kv: (-(kv[1][0] or 0), kv[0]))
        whole = sum(found[0] or 0 for found in values.values())
        old = self._values(metric_name, metric, by, fixed, buckets, then_labels) if compare else {}
        ordered = []
        for value, (amount, stats) in ranked:
            row = Row(value=value, total=amount, stats=stats)
            if metric.kind == "count":
                row.share = (amount or 0) / whole if whole else None
            if compare:
                row.previous = old[value][0] if value in old else 0.0
                row.change = change(row.total, row.previous)
            ordered.append(row)
        total, _ = total_of(metric_name, metric, buckets, fixed, now_labels)
        return Breakdown(
            metric=metric_name,
            kind=metric.kind,
            by=by,
            filter=fixed,
            time_zone=zone,
            period=period,
            previous_period=before if compare else None,
            rows=ordered,
            total=total,
        )

    @staticmethod
    def _values(
        metric_name: str,
        metric: Metric,
        by: str,
        fixed: dict[str, str],
        buckets: Buckets,
        labels: list[str],
    ) -> dict[str, tuple[float | None, Stats | None]]:
        """Per value of `by` with something to show: its total (or mean), and its stats."""
        if metric.kind == "duration":
            keys = buckets.series_names()
            found: dict[str, tuple[float | None, Stats | None]] = {}
            counted = series_keys_matching(keys, f"{metric_name}{COUNT}", by, fixed)
            for value in set(counted.values()):
                _, stats = total_of(metric_name, metric, buckets, {**fixed, by: value}, labels)
                if stats is not None and stats.count:
                    found[value] = (stats.mean_seconds, stats)
            return found
        if not fixed:
            split = buckets.split_by(metric_name, by, labels)
            return {unescape(value): (float(total), None) for value, total in split.items()}
        matching = series_keys_matching(buckets.series_names(), metric_name, by, fixed)
        totals = buckets.per_key(matching, labels)
        return {
            value: (float(totals[series]), None)
            for series, value in matching.items()
            if totals.get(series, 0) != 0
        }
