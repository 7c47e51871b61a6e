"""The fold: facts through every domain's handlers, into contributions per workspace.

Handlers per fact kind come from each domain module. The watermark (latest fact time seen)
and eviction live here: an entity of a kind that ends (a mention, an approval, a content
item, an in-app delivery) is forgotten once nothing happened to it for the tracking window;
kinds that carry stocks "now" (submissions, seats) or a member's first activity are kept.
Eviction runs at most once per day of event time, inside a round, so it is journaled like
any other change and a redone round evicts the same entities. A notification latency entity
waits on two streams (`latency.cutoffs`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from ensemble_insights.models.facts import Fact
from ensemble_insights.models.settings import WorkspaceSettings
from ensemble_insights.services.projection import (
    approvals,
    community,
    latency,
    listening,
    notifications,
)
from ensemble_insights.services.projection.common import Context, Handler, Output
from ensemble_insights.services.projection.state import State


def _joined(*tables: Mapping[str, list[Handler]]) -> dict[str, list[Handler]]:
    """Every domain's handlers of a kind, in turn (latency reads kinds other domains count)."""
    joined: dict[str, list[Handler]] = defaultdict(list)
    for table in tables:
        for kind, handlers in table.items():
            joined[kind] += handlers
    return dict(joined)


HANDLERS = _joined(
    listening.HANDLERS,
    approvals.HANDLERS,
    community.HANDLERS,
    notifications.HANDLERS,
    latency.HANDLERS,
)
EVICTABLE = {
    listening.MENTION: "mention",
    approvals.APPROVAL: "approval",
    approvals.CONTENT: "content",
    "delivery": "notification",
}
"""Entity kinds that end, with the stream (fact kind prefix) whose time says they are idle:
each stream's own clock, since a rebuild reads the streams at different paces."""
META = "_meta|*|projection"
SWEEP_EVERY = 86400.0


class Fold:
    def __init__(
        self,
        state: State,
        settings: Callable[[str], WorkspaceSettings],
        *,
        window_seconds: float,
    ) -> None:
        self.state = state
        self._context = Context(state, settings)
        self._window = window_seconds

    def run(self, facts: Iterable[Fact]) -> dict[str, Output]:
        """Fold `facts` (each new to the projection) in order; outputs by workspace."""
        outputs: dict[str, Output] = defaultdict(Output)
        old = self.state.get(META) or {}
        clocks: dict[str, float] = dict(old.get("clocks", {}))
        # The first round only sets the mark: its clocks may come from one partition's last
        # month while another's first day is still unread (a rebuild's first batches).
        swept = float(old["swept"]) if old.get("swept") else None
        for fact in facts:
            out = outputs[fact.workspace]
            for handle in HANDLERS.get(fact.kind, ()):
                handle(fact, self._context, out)
            stream = fact.kind.split(".", 1)[0]
            if fact.at > clocks.get(stream, 0.0):
                clocks[stream] = fact.at
        latest = max(clocks.values(), default=0.0)
        if swept is None:
            swept = latest
        elif latest - swept >= SWEEP_EVERY:
            self.evict({stream: at - self._window for stream, at in clocks.items()})
            swept = latest
        meta = {"clocks": clocks, "swept": swept}
        if meta != old:
            self.state.put(META, meta)
        return dict(outputs)

    def evict(self, before: dict[str, float]) -> int:
        """Forget ended-kind entities idle since before their stream's `before`; how many."""
        doomed = []
        waits = latency.cutoffs(before)
        for key, entity in self.state.view():  # dropped after the loop
            kind = key.split("|", 1)[0]
            if kind == latency.LATENCY:
                if latency.idle(key, entity, waits):
                    doomed.append(key)
                continue
            stream = EVICTABLE.get(kind)
            if stream is not None and float(entity.get("last", 0.0)) < before.get(stream, 0.0):
                doomed.append(key)
        for key in doomed:
            self.state.drop(key)
            self._context.known.pop(key, None)
        return len(doomed)


def handled_kinds() -> frozenset[str]:
    return frozenset(HANDLERS)
