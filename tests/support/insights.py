"""Driving insights in tests: an in-memory projection for unit tests, the app for component
tests, and the comparison of its figures with `insights_history.Expected`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ensemble_insights.models.api import Period, Series, StockView
from ensemble_insights.models.rollups import Content, Ref, View, add, empty
from ensemble_insights.models.series import parse
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.facts import facts_of
from ensemble_insights.services.overview import Dashboard
from ensemble_insights.services.projection.buckets import bucket
from ensemble_insights.services.projection.fold import Fold
from ensemble_insights.services.projection.state import State
from ensemble_insights.services.queries import Queries
from ensemble_insights.services.reading import Reader
from ensemble_shared.events import Event
from support.insights_history import Expected


@dataclass
class MemoryRollups:
    """Rollup documents in a dict: the unit tests' stand-in for `storage.rollups`."""

    docs: dict[Ref, Content] = field(default_factory=dict)

    async def read(
        self, refs: Iterable[Ref], *, stamp: str | None = None
    ) -> dict[Ref, tuple[int, Content]]:
        return {ref: (0, self.docs[ref]) for ref in refs if ref in self.docs}

    def apply(self, deltas: dict[Ref, Content]) -> None:
        for ref, delta in deltas.items():
            add(self.docs.setdefault(ref, empty()), json.loads(json.dumps(delta)))


@dataclass
class FixedZone:
    zone: str

    async def get(self, workspace: str) -> View | None:
        return View(self.zone)


@dataclass
class FixedSettings:
    settings: WorkspaceSettings | None = None

    async def get(self, workspace: str) -> WorkspaceSettings | None:
        return self.settings


def project(events: Sequence[Event], zone: str, *, round_size: int = 40) -> MemoryRollups:
    """Fold events the way the projector does: deduped by event id, in rounds, with the state
    going through its JSON snapshot form between rounds."""
    store = MemoryRollups()
    seen: set[str] = set()
    entities: dict[str, Any] = {}
    facts = facts_of(events)
    for start in range(0, len(facts), round_size):
        new = []
        for fact in facts[start : start + round_size]:
            if fact.id not in seen:
                seen.add(fact.id)
                new.append(fact)
        state = State(json.loads(json.dumps(entities)))
        fold = Fold(state, WorkspaceSettings.default, window_seconds=30 * 86400)
        store.apply(bucket(fold.run(new), lambda ws: zone))
        state.take_changes()
        entities = state.dump()
    return store


def queries_on(store: MemoryRollups, zone: str) -> Queries:
    return Queries(Reader(store), FixedZone(zone), FixedSettings())


def split(name: str) -> tuple[str, dict[str, str]]:
    return parse(name)


def rounded_sum(values: Iterable[float]) -> int:
    return sum(max(round(v), 0) for v in values)


async def compare_series(
    queries: Queries, workspace: str, ex: Expected, period: Period
) -> list[str]:
    """Every counted figure of `ex`, total and per day, against the queries; the mismatches."""
    wrong: list[str] = []
    for name, total in sorted(ex.counts.items()):
        metric, fixed = split(name)
        series = await queries.series(workspace, metric, period, fixed=fixed)
        if series.total != total:
            wrong.append(f"{name}: total {series.total} != {total}")
            continue
        got = {date.fromisoformat(p.period): p.value for p in series.points if p.value}
        if got != {d: float(n) for d, n in ex.daily[name].items()}:
            wrong.append(f"{name}: per day {got} != {dict(ex.daily[name])}")
    for name, values in sorted(ex.durations.items()):
        metric, fixed = split(name)
        series = await queries.series(workspace, metric, period, fixed=fixed)
        stats = series.stats
        if stats is None or stats.count != len(values) or stats.sum_seconds != rounded_sum(values):
            wrong.append(f"{name}: {stats} != count {len(values)} sum {rounded_sum(values)}")
    return wrong


def compare_stocks(stocks: StockView, ex: Expected) -> list[str]:
    wrong: list[str] = []
    ideas = {k.split("=")[1]: v for k, v in ex.now.items() if k.startswith("ideas_now|status=")}
    if stocks.ideas_by_status != ideas:
        wrong.append(f"ideas {stocks.ideas_by_status} != {ideas}")
    event = next((e for e in stocks.field_events if e["event"] == "ev1"), {})
    seats = {
        k.rsplit("=", 1)[1]: v for k, v in ex.now.items() if k.startswith("roster_now|event=ev1")
    }
    if event.get("seats") != seats:
        wrong.append(f"seats {event.get('seats')} != {seats}")
    if event.get("checked_in") != ex.now["checkins_now|event=ev1"]:
        wrong.append(f"checked in {event.get('checked_in')}")
    if event.get("ideas") != ex.now["event_ideas_now|event=ev1"]:
        wrong.append(f"event ideas {event.get('ideas')}")
    return wrong


async def compare_members(
    dashboard: Dashboard, workspace: str, ex: Expected, period: Period
) -> list[str]:
    view = await dashboard.members(workspace, period)
    expected = {
        "new": ex.counts["members_registered"],
        "active": len(ex.active),
        "first_time_active": ex.counts["members_first_active"],
        "returning": len(ex.active) - ex.counts["members_first_active"],
    }
    got = {name: getattr(view, name) for name in expected}
    wrong = [] if got == expected else [f"members {got} != {expected}"]
    ranges = {"0-5": 0, "5-10": 0, "10-20": 0, "20-50": 0, "50+": 0}
    for score in ex.scores.values():  # counted by hand: [0, 5), [5, 10), ...
        label = next(
            (
                name
                for name, high in (("0-5", 5), ("5-10", 10), ("10-20", 20), ("20-50", 50))
                if score < high
            ),
            "50+",
        )
        ranges[label] += 1
    if view.engagement_distribution != ranges:
        wrong.append(f"engagement {view.engagement_distribution} != {ranges}")
    best = max(ex.scores.values(), default=None)
    if (view.top_engagement[0].total if view.top_engagement else None) != best:
        wrong.append(f"top score {view.top_engagement[:1]} != {best}")
    return wrong


def series_totals(series: Series) -> float:
    return sum(p.value or 0 for p in series.points)
