"""A fact: what insights keeps of one event, small enough to stage by the thousand.

Consumers turn each event into a fact (or nothing) at once, so the projection never parses an
envelope twice and a staged batch holds only the fields some figure is made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Fact:
    """One event as the projection sees it.

    `id` is the event id (duplicates of an event share it: the projection counts it once);
    `at` is when it happened (epoch seconds, the event's own time unless the kind says
    otherwise); `entity` is the aggregate the event is about, whose state the fold keeps.
    """

    id: str
    kind: str
    workspace: str
    at: float
    entity: str
    data: dict[str, Any]

    def row(self) -> list[Any]:
        return [self.id, self.kind, self.workspace, self.at, self.entity, self.data]

    @classmethod
    def of_row(cls, row: list[Any]) -> Fact:
        event_id, kind, workspace, at, entity, data = row
        return cls(str(event_id), str(kind), str(workspace), float(at), str(entity), dict(data))
