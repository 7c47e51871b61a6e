"""What every domain fold shares: the round's context and output, and state transitions.

A stateful figure is a pure function of its entity's state. When a fact changes the state,
the fold adds `contribute(new) - contribute(old)`: the same numbers whatever the order facts
of different entities arrive in, and a fact that changes nothing adds nothing. State merges
are order-free too (the earliest assignment wins by time, then by event id), so a history
replayed in another order gives the same figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ensemble_insights.models.facts import Fact
from ensemble_insights.models.series import Contribution, Entry
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.projection.state import Entity, State

Moment = list[Any]
"""[when, event id, ...details]: compared by (when, event id), so "the first" is well defined."""


@dataclass
class Context:
    state: State
    settings: Callable[[str], WorkspaceSettings]
    known: dict[str, list[Contribution]] = field(default_factory=dict)
    """Contributions of entities as last computed in this round (an entity's facts tend to
    come together: its next fact needs them as `old`)."""


@dataclass
class Output:
    contributions: list[Contribution] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


Handler = Callable[[Fact, Context, Output], None]


def diff(old: Iterable[Contribution], new: Iterable[Contribution]) -> list[Contribution]:
    totals: dict[tuple[float | None, str, str], int] = defaultdict(int)
    for at, family, series, amount in new:
        totals[(at, family, series)] += amount
    for at, family, series, amount in old:
        totals[(at, family, series)] -= amount
    return [(at, family, series, n) for (at, family, series), n in totals.items() if n]


def change(
    ctx: Context,
    kind: str,
    fact: Fact,
    merge: Callable[[Entity, Fact], None],
    contribute: Callable[[Entity], list[Contribution]],
    entity: str | None = None,
) -> list[Contribution]:
    """Merge `fact` into its entity's state; the contributions that changed as a result."""
    key = State.key(kind, fact.workspace, entity if entity is not None else fact.entity)
    old = ctx.state.get(key)
    new: Entity = _copy(old) if old is not None else {"ws": fact.workspace}
    merge(new, fact)
    new["last"] = max(float(new.get("last", 0.0)), fact.at)
    ctx.state.put(key, new)
    before = ctx.known.pop(key, None)
    if before is None:
        before = contribute(old) if old is not None else []
    after = contribute(new)
    if len(ctx.known) < 100_000:
        ctx.known[key] = after
    return diff(before, after)


def _copy(entity: Entity) -> Entity:
    """A copy a merge may change: merges replace values or append to top-level lists, and
    never change a moment (an inner list) in place."""
    return {
        name: list(value) if isinstance(value, list) else value for name, value in entity.items()
    }


def earliest(current: Moment | None, candidate: Moment) -> Moment:
    """The earlier of two moments, by time then event id."""
    if current is None or (candidate[0], candidate[1]) < (current[0], current[1]):
        return candidate
    return current


def add_moment(moments: list[Moment], candidate: Moment) -> None:
    """Keep each event once in a list of moments (a redone fact adds nothing)."""
    if all(m[1] != candidate[1] for m in moments):
        moments.append(candidate)
        moments.sort(key=lambda m: (m[0], m[1]))
