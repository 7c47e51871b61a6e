"""Reading rollups for a range of local days or hours, and summing series out of them.

Days come from the `d` layer: the local months covering the range (and the previous range),
read in one query per collection. Hours come from the `q` layer: the UTC days covering the
range, each quarter-hour placed in its local hour (the label carries the UTC offset, so the
hour repeated when clocks go back stays two hours).
"""

from __future__ import annotations

import calendar
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from ensemble_insights.models.api import Period, Stats
from ensemble_insights.models.catalog import NOW
from ensemble_insights.models.rollups import Content, Ref
from ensemble_insights.models.series import BIN, COUNT, SUM, key, parse, percentile, unescape
from ensemble_insights.models.settings import zone

QUARTER = 900
SPLITS_KEPT = 32
_SPLITS: OrderedDict[tuple[str, tuple[Any, ...]], tuple[list[Content], dict[str, int]]] = (
    OrderedDict()
)
"""Recent `Buckets.split_by` results (top authors: tens of thousands of values), by the
documents they were made of. Contents read from the store are shared and never changed
(`storage.rollups`), so the same objects give the same totals; each result keeps its
documents alive, so an id is never another document's while its result is kept."""


class RollupSource(Protocol):
    """Where rollup documents are read from (`storage.rollups.Rollups`)."""

    async def read(
        self, refs: Iterable[Ref], *, stamp: str | None = None
    ) -> dict[Ref, tuple[int, Content]]: ...


def days(period: Period) -> list[date]:
    return [period.start + timedelta(n) for n in range((period.end - period.start).days + 1)]


def previous(period: Period) -> Period:
    """What a period is compared with: the calendar month before when it is whole calendar
    months (November against October), else the same number of days just before it."""
    start, end = period.start, period.end
    last_day = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and end.day == last_day:
        months_long = (end.year - start.year) * 12 + end.month - start.month + 1
        first = date(start.year, start.month, 1)
        for _ in range(months_long):
            first = (first - timedelta(days=1)).replace(day=1)
        return Period(start=first, end=start - timedelta(1))
    length = (end - start).days + 1
    return Period(start=start - timedelta(length), end=start - timedelta(1))


@dataclass
class Buckets:
    """The rollup contents of one family over a range, and which bucket of which document
    each label (a local day or hour) is made of."""

    labels: list[str]
    contents: list[Content]
    slots: list[dict[str, str]]  # per content: bucket -> label
    whole: list[bool]  # per content: every bucket it can hold is one of the labels
    _names: set[str] | None = None

    def series_names(self) -> set[str]:
        if self._names is None:
            self._names = {series for content in self.contents for series in content["c"]}
        return self._names

    def per_label(self, wanted: Iterable[str]) -> dict[str, dict[str, int]]:
        """For each label, the totals of the `wanted` series (one pass over the documents)."""
        found: dict[str, dict[str, int]] = {label: {} for label in self.labels}
        wanted_set = set(wanted)
        for content, labels in zip(self.contents, self.slots, strict=True):
            counters = content["c"]
            for series in wanted_set & counters.keys():
                for slot, amount in counters[series].items():
                    label = labels.get(slot)
                    if label is not None:
                        totals = found[label]
                        totals[series] = totals.get(series, 0) + amount
        return found

    def per_key(self, wanted: Iterable[str], labels: Iterable[str] | None = None) -> dict[str, int]:
        """Totals of several series over `labels` (all by default)."""
        chosen = None if labels is None else set(labels)
        wanted_set = set(wanted)
        totals: dict[str, int] = defaultdict(int)
        for content, slot_labels, whole in zip(self.contents, self.slots, self.whole, strict=True):
            slots = {s for s, label in slot_labels.items() if chosen is None or label in chosen}
            if not slots:
                continue
            counters = content["c"]
            every = whole and len(slots) == len(slot_labels)
            for series in wanted_set & counters.keys():
                values = counters[series]
                if every:
                    totals[series] += sum(values.values())
                elif len(values) <= len(slots):
                    totals[series] += sum(n for slot, n in values.items() if slot in slots)
                else:
                    totals[series] += sum(values.get(slot, 0) for slot in slots)
        return dict(totals)

    def split_by(self, metric: str, by: str, labels: Iterable[str]) -> dict[str, int]:
        """Totals of `metric` split by one dimension alone, by the value's escaped form: one
        pass over the documents, for breakdowns with thousands of values (authors)."""
        chosen = set(labels)
        prefix = f"{metric}|{by}="
        start = len(prefix)
        parts = []
        for content, slot_labels, whole in zip(self.contents, self.slots, self.whole, strict=True):
            slots = frozenset(s for s, label in slot_labels.items() if label in chosen)
            if slots:
                every = whole and len(slots) == len(slot_labels)
                parts.append((content, None if every else slots))
        memo = (prefix, tuple((id(content), slots) for content, slots in parts))
        known = _SPLITS.get(memo)
        if known is not None and all(a is b for a, (b, _) in zip(known[0], parts, strict=True)):
            _SPLITS.move_to_end(memo)
            return known[1]
        totals: dict[str, int] = defaultdict(int)
        for content, chosen_slots in parts:
            for series, values in content["c"].items():
                if not series.startswith(prefix) or series.find("|", start) != -1:
                    continue
                if chosen_slots is None:
                    totals[series[start:]] += sum(values.values())
                else:
                    totals[series[start:]] += sum(
                        n for slot, n in values.items() if slot in chosen_slots
                    )
        found = {value: total for value, total in totals.items() if total}
        _SPLITS[memo] = ([content for content, _ in parts], found)
        while len(_SPLITS) > SPLITS_KEPT:
            _SPLITS.popitem(last=False)
        return found

    def entries(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every dated entry of the documents read."""
        for content in self.contents:
            yield from content.get("e", {}).items()


def series_keys_matching(
    keys: Iterable[str], metric: str, by: str, fixed: Mapping[str, str]
) -> dict[str, str]:
    """Series of `metric` split by `by` (with exactly the `fixed` dimensions besides):
    {series key: value of `by`}."""
    found: dict[str, str] = {}
    if not fixed:  # the common case, without parsing: `metric|by=value`
        prefix = f"{metric}|{by}="
        for series in keys:
            if series.startswith(prefix) and "|" not in series[len(prefix) :]:
                found[series] = unescape(series[len(prefix) :])
        return found
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
        self,
        workspace: str,
        zone_name: str,
        families: Iterable[str],
        period: Period,
        *,
        stamp: str | None = None,
    ) -> dict[str, Buckets]:
        """Per family, the local days of `period` (`stamp`: the workspace's, see `View`)."""
        chosen = list(families)
        labels = [d.isoformat() for d in days(period)]
        by_month: dict[str, dict[str, str]] = defaultdict(dict)  # month -> bucket -> label
        for label in labels:  # YYYY-MM-DD
            by_month[label[:7]][label[8:]] = label
        wanted = [
            Ref("d", workspace, family, month, zone_name) for family in chosen for month in by_month
        ]
        found = await self._rollups.read(wanted, stamp=stamp)
        full = {
            month: len(in_month) == calendar.monthrange(int(month[:4]), int(month[5:]))[1]
            for month, in_month in by_month.items()
        }
        result: dict[str, Buckets] = {}
        for family in chosen:
            contents: list[Content] = []
            slots: list[dict[str, str]] = []
            whole: list[bool] = []
            for month, in_month in by_month.items():
                ref = Ref("d", workspace, family, month, zone_name)
                if ref in found:
                    contents.append(found[ref][1])
                    slots.append(in_month)
                    whole.append(full[month])
            result[family] = Buckets(labels, contents, slots, whole)
        return result

    async def hourly(
        self,
        workspace: str,
        zone_name: str,
        family: str,
        period: Period,
        *,
        stamp: str | None = None,
    ) -> Buckets:
        """The local hours of `period` (from the quarter-hours)."""
        tz = zone(zone_name)
        begin = datetime.combine(period.start, time(), tz).astimezone(UTC)
        end = datetime.combine(period.end + timedelta(1), time(), tz).astimezone(UTC)
        labels: list[str] = []
        slots: dict[date, dict[str, str]] = defaultdict(dict)
        moment = begin
        while moment < end:
            label = moment.astimezone(tz).replace(minute=0).isoformat(timespec="minutes")
            if not labels or labels[-1] != label:
                labels.append(label)
            slots[moment.date()][str(moment.hour * 4 + moment.minute // 15)] = label
            moment += timedelta(seconds=QUARTER)
        found = await self._rollups.read(
            [Ref("q", workspace, family, day.isoformat()) for day in slots], stamp=stamp
        )
        contents, slot_maps, whole = [], [], []
        for day, day_slots in slots.items():
            ref = Ref("q", workspace, family, day.isoformat())
            if ref in found:
                contents.append(found[ref][1])
                slot_maps.append(day_slots)
                whole.append(len(day_slots) == 96)
        return Buckets(labels, contents, slot_maps, whole)

    async def now(self, workspace: str) -> Content:
        found = await self._rollups.read([Ref("now", workspace, NOW, "")])
        return next(iter(found.values()))[1] if found else {"c": {}, "e": {}}
