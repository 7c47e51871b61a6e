"""Reading rollups for a range of local days or hours, and summing series out of them.

Days come from the `d` layer: the local months covering the range (and the previous range),
read in one query per collection. Hours come from the `q` layer: the UTC days covering the
range, each quarter-hour placed in its local hour (the label carries the UTC offset, so the
hour repeated when clocks go back stays two hours).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from ensemble_insights.models.api import Period, Stats
from ensemble_insights.models.catalog import NOW
from ensemble_insights.models.rollups import Content, Ref
from ensemble_insights.models.series import BIN, COUNT, SUM, key, parse, percentile
from ensemble_insights.models.settings import zone

QUARTER = 900


class RollupSource(Protocol):
    """Where rollup documents are read from (`storage.rollups.Rollups`)."""

    async def read(self, refs: Iterable[Ref]) -> dict[Ref, tuple[int, Content]]: ...


def days(period: Period) -> list[date]:
    return [period.start + timedelta(n) for n in range((period.end - period.start).days + 1)]


def months(period: Period) -> list[str]:
    return sorted({f"{d.year:04d}-{d.month:02d}" for d in days(period)})


def previous(period: Period) -> Period:
    length = (period.end - period.start).days + 1
    return Period(start=period.start - timedelta(length), end=period.start - timedelta(1))


@dataclass
class Buckets:
    """The rollup contents of one family over a range, by bucket label (day or hour)."""

    by_label: dict[str, list[tuple[Content, list[str]]]]
    labels: list[str]

    def series(self, series: str) -> dict[str, int]:
        """Per label, the sum of one series."""
        found: dict[str, int] = {}
        for label in self.labels:
            total = 0
            for content, slots in self.by_label.get(label, ()):
                values = content["c"].get(series)
                if values:
                    total += sum(values.get(slot, 0) for slot in slots)
            found[label] = total
        return found

    def series_names(self) -> set[str]:
        return {
            series
            for entries in self.by_label.values()
            for content, _ in entries
            for series in content["c"]
        }

    def per_key(self, wanted: Iterable[str], labels: Iterable[str] | None = None) -> dict[str, int]:
        """Totals of several series over `labels` (all by default)."""
        chosen = self.labels if labels is None else list(labels)
        wanted_set = set(wanted)
        totals: dict[str, int] = defaultdict(int)
        for label in chosen:
            for content, slots in self.by_label.get(label, ()):
                for series in wanted_set & content["c"].keys():
                    values = content["c"][series]
                    totals[series] += sum(values.get(slot, 0) for slot in slots)
        return dict(totals)

    def entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every dated entry of the documents read (each document once)."""
        seen: set[int] = set()
        for entries in self.by_label.values():
            for content, _ in entries:
                if id(content) not in seen:
                    seen.add(id(content))
                    yield from content.get("e", {}).items()


def series_keys_matching(
    keys: Iterable[str], metric: str, by: str, fixed: Mapping[str, str]
) -> dict[str, str]:
    """Series of `metric` split by `by` (with exactly the `fixed` dimensions besides):
    {series key: value of `by`}."""
    found: dict[str, str] = {}
    for series in keys:
        name, dims = parse(series)
        if name != metric or by not in dims:
            continue
        if {k: v for k, v in dims.items() if k != by} == dict(fixed):
            found[series] = dims[by]
    return found


def duration_keys(metric: str, dims: Mapping[str, str], keys: Iterable[str]) -> dict[str, int]:
    """{series key: bin} of a duration's histogram under `dims`."""
    tail = key("", dims)
    found: dict[str, int] = {}
    prefix = f"{metric}{BIN}"
    for series in keys:
        if series.startswith(prefix) and series.endswith(tail):
            index = series[len(prefix) : len(series) - len(tail)]
            if index.isdigit():
                found[series] = int(index)
    return found


def stats_of(metric: str, dims: Mapping[str, str], totals: Mapping[str, int]) -> Stats:
    """Duration statistics from the totals of a duration's series."""
    tail = key("", dims)
    count = totals.get(f"{metric}{COUNT}{tail}", 0)
    total = totals.get(f"{metric}{SUM}{tail}", 0)
    bins = {b: totals.get(s, 0) for s, b in duration_keys(metric, dims, totals).items()}
    return Stats(
        count=count,
        sum_seconds=total,
        mean_seconds=total / count if count else None,
        p50_seconds=percentile(bins, 0.5),
        p90_seconds=percentile(bins, 0.9),
    )


class Reader:
    def __init__(self, rollups: RollupSource) -> None:
        self._rollups = rollups

    async def daily(
        self, workspace: str, zone_name: str, families: Iterable[str], period: Period
    ) -> dict[str, Buckets]:
        """Per family, the local days of `period`."""
        wanted = [
            Ref("d", workspace, family, month, zone_name)
            for family in families
            for month in months(period)
        ]
        found = await self._rollups.read(wanted)
        result: dict[str, Buckets] = {}
        labels = [d.isoformat() for d in days(period)]
        for family in families:
            by_label: dict[str, list[tuple[Content, list[str]]]] = {}
            for day in days(period):
                ref = Ref("d", workspace, family, f"{day.year:04d}-{day.month:02d}", zone_name)
                if ref in found:
                    by_label[day.isoformat()] = [(found[ref][1], [f"{day.day:02d}"])]
            result[family] = Buckets(by_label, labels)
        return result

    async def hourly(self, workspace: str, zone_name: str, family: str, period: Period) -> Buckets:
        """The local hours of `period` (from the quarter-hours)."""
        tz = zone(zone_name)
        begin = datetime.combine(period.start, time(), tz).astimezone(UTC)
        end = datetime.combine(period.end + timedelta(1), time(), tz).astimezone(UTC)
        utc_days: list[date] = []
        day = begin.date()
        while day <= (end - timedelta(seconds=1)).date():
            utc_days.append(day)
            day += timedelta(1)
        found = await self._rollups.read(
            [Ref("q", workspace, family, d.isoformat()) for d in utc_days]
        )
        by_label: dict[str, list[tuple[Content, list[str]]]] = defaultdict(list)
        labels: list[str] = []
        moment = begin
        while moment < end:
            local = moment.astimezone(tz)
            label = local.replace(minute=0).isoformat(timespec="minutes")
            if not labels or labels[-1] != label:
                labels.append(label)
            ref = Ref("q", workspace, family, moment.date().isoformat())
            if ref in found:
                slot = str(moment.hour * 4 + moment.minute // 15)
                content = found[ref][1]
                entries = by_label[label]
                if entries and entries[-1][0] is content:
                    entries[-1][1].append(slot)
                else:
                    entries.append((content, [slot]))
            moment += timedelta(seconds=QUARTER)
        return Buckets(dict(by_label), labels)

    async def now(self, workspace: str) -> Content:
        found = await self._rollups.read([Ref("now", workspace, NOW, "")])
        return next(iter(found.values()))[1] if found else {"c": {}, "e": {}}
