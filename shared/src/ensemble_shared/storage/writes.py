"""Writing back only what a change changes.

FerretDB's conditional update is not atomic (FerretDB #3040): two writers that read the same
version can both pass a `{"version": v}` filter. If each wrote the whole document, the later
one would put back what the earlier one changed (a profile edit undoing a block, a platform
edit undoing an assignment). Each writes only the fields its change touched, so two such
writers never undo each other; the version filter still turns the common stale read into a
retry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ensemble_shared.storage import Document


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], *, fixed: Iterable[str] = ("_id",)
) -> Document:
    """The fields of `after` that differ from `before`, except the `fixed` ones."""
    kept = set(fixed)
    return {k: v for k, v in after.items() if k not in kept and before.get(k) != v}
