"""Admin settings kept as revisions (slot plans, channel accounts, answer templates): each save
inserts the next revision under a unique key, so two admins saving from the same revision race
and one wins; the highest revision is the setting in force."""

from __future__ import annotations

from typing import Any, Protocol

from ensemble_shared.auth import Principal
from ensemble_shared.events import utcnow


class Revised(Protocol):
    @property
    def revision(self) -> int: ...


def next_revision(principal: Principal, current: Revised | None) -> dict[str, Any]:
    """The fields of the revision `principal` saves after `current` (None: the first)."""
    return {
        "workspace": principal.workspace,
        "revision": current.revision + 1 if current else 1,
        "updated_by": principal.subject,
        "updated_at": utcnow(),
    }
