"""The projection's vocabulary: series keys, contributions, and duration histograms.

Every figure is a sum of integer contributions, so folding is addition and a redone round
adds the same numbers: a count adds 1; a duration adds its seconds to `<metric>.sum`, 1 to
`<metric>.count` and 1 to one `<metric>.bin.<n>` (geometric bins, ratio 1.25), which gives an
exact mean and percentiles within a bin's width. A series key is the metric followed by its
dimensions in name order: `mentions|platform=x|sentiment=negative`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

Contribution = tuple[float | None, str, str, int]
"""(when, family, series key, amount); `when` None is a stock kept "now", not in time."""

Entry = tuple[float, str, str, dict[str, Any]]
"""(when, family, entry id, payload): a dated item kept as is, e.g. a spike on the timeline."""

BIN_RATIO = 1.25
_LOG_RATIO = math.log(BIN_RATIO)
SUM, COUNT, BIN = ".sum", ".count", ".bin."


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("|", "%7C").replace("=", "%3D")


def unescape(value: str) -> str:
    if "%" not in value:
        return value
    return value.replace("%3D", "=").replace("%7C", "|").replace("%25", "%")


@lru_cache(maxsize=65536)
def _part(name: str, value: str) -> str:
    return f"{name}={_escape(value)}"


def key(metric: str, dims: Mapping[str, object] | None = None) -> str:
    """The series key of `metric` restricted to `dims` (None values are left out)."""
    if not dims:
        return metric
    parts = [_part(name, str(value)) for name, value in sorted(dims.items()) if value]
    return "|".join([metric, *parts])


def parse(series: str) -> tuple[str, dict[str, str]]:
    """(metric, dims) of a series key."""
    metric, *parts = series.split("|")
    dims = {}
    for part in parts:
        name, _, value = part.partition("=")
        dims[name] = unescape(value)
    return metric, dims


def variants(
    metric: str,
    dims: Mapping[str, object],
    crosses: Sequence[tuple[str, str]] = (),
    many: Mapping[str, Iterable[object]] | None = None,
) -> list[str]:
    """The keys one occurrence counts under: overall, by each dimension alone, by each
    `crosses` pair, and once per value of each multi-valued dimension in `many` (tags)."""
    keys = [metric]
    keys += [key(metric, {name: value}) for name, value in dims.items() if value]
    for first, second in crosses:
        if dims.get(first) and dims.get(second):
            keys.append(key(metric, {first: dims[first], second: dims[second]}))
    for name, values in (many or {}).items():
        for value in dict.fromkeys(values):
            keys.append(key(metric, {name: value}))
            for first, second in crosses:
                other = second if first == name else first if second == name else None
                if other is not None and dims.get(other):
                    keys.append(key(metric, {name: value, other: dims[other]}))
    return keys


def counts(
    at: float | None, family: str, keys: Iterable[str], amount: int = 1
) -> list[Contribution]:
    return [(at, family, series, amount) for series in keys]


def bin_of(seconds: float) -> int:
    return int(math.log1p(max(seconds, 0.0)) / _LOG_RATIO)


def bin_bounds(index: int) -> tuple[float, float]:
    """Seconds [low, high) of a histogram bin."""
    return math.expm1(index * _LOG_RATIO), math.expm1((index + 1) * _LOG_RATIO)


def durations(at: float, family: str, keys: Iterable[str], seconds: float) -> list[Contribution]:
    """A duration under each of `keys` (the metric plus its dimensions)."""
    whole = max(round(seconds), 0)
    found: list[Contribution] = []
    for series in keys:
        metric, _, dims = series.partition("|")
        tail = f"|{dims}" if dims else ""
        found += [
            (at, family, f"{metric}{SUM}{tail}", whole),
            (at, family, f"{metric}{COUNT}{tail}", 1),
            (at, family, f"{metric}{BIN}{bin_of(whole)}{tail}", 1),
        ]
    return found


def percentile(bins: Mapping[int, int], fraction: float) -> float | None:
    """The `fraction` quantile of a binned distribution, interpolated within its bin."""
    total = sum(bins.values())
    if total <= 0:
        return None
    wanted = fraction * total
    seen = 0
    for index in sorted(bins):
        count = bins[index]
        if count <= 0:
            continue
        if seen + count >= wanted:
            low, high = bin_bounds(index)
            return low + (high - low) * max(wanted - seen, 0) / count
        seen += count
    low, high = bin_bounds(max(bins))
    return high
