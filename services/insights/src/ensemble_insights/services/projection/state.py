"""The projection's keyed state: one small JSON document per entity, changes tracked per round.

Durations and stocks need what happened earlier to an entity (when a mention arrived, which
slot a post had), and reading that back per event from the store would cost a scan on
FerretDB. So the one folding process keeps entities in memory; each round records the
entities it changed (journal) and a periodic snapshot holds them all, so a new leader (or a
restart) loads the snapshot, replays the journal, and continues from exactly where the last
committed round left it.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping
from typing import Any

Entity = dict[str, Any]


class State:
    def __init__(self, entities: Mapping[str, Entity] | None = None) -> None:
        self._entities: dict[str, Entity] = dict(entities or {})
        self._changed: dict[str, Entity | None] = {}

    @staticmethod
    def key(kind: str, workspace: str, entity: str) -> str:
        return f"{kind}|{workspace}|{entity}"

    def get(self, key: str) -> Entity | None:
        return self._entities.get(key)

    def put(self, key: str, value: Entity) -> None:
        """Store `value`, a new object: an entity is never changed in place (see `change`)."""
        self._entities[key] = value
        self._changed[key] = value

    def drop(self, key: str) -> None:
        if self._entities.pop(key, None) is not None:
            self._changed[key] = None

    def items(self) -> Iterator[tuple[str, Entity]]:
        return iter(list(self._entities.items()))

    def view(self) -> ItemsView[str, Entity]:
        """The entities without a copy (a sweep reads them all): not to change while read."""
        return self._entities.items()

    def __len__(self) -> int:
        return len(self._entities)

    def take_changes(self) -> dict[str, Entity | None]:
        """The entities changed since the last call (None: dropped), for the round's commit.

        A round that fails before committing leaves the state ahead of the store: the folder
        then drops it and loads the state again (snapshot and committed rounds)."""
        changes, self._changed = self._changed, {}
        return changes

    def apply(self, changes: Mapping[str, Entity | None]) -> None:
        """Replay a committed round's changes (on load), without journaling them again."""
        for key, value in changes.items():
            if value is None:
                self._entities.pop(key, None)
            else:
                self._entities[key] = value

    def dump(self) -> dict[str, Entity]:
        return dict(self._entities)
