"""Member merges: the log of merges and their undoing, the state folded from it, and the pairs
that look like one person. The domain, no I/O.

A member's state lives on the *canonical* member (the survivor of any merge): profile,
consents and trust are read there, while activity stays recorded under the identity that acted
so that undoing a merge gives each member their own history back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ensemble_feedback.models.members import Request
from ensemble_shared.errors import Conflict


class MergeRequest(Request):
    survivor_member_id: str = Field(min_length=1, max_length=100)
    merged_member_id: str = Field(min_length=1, max_length=100)


class Merge(BaseModel):
    merge_id: str
    survivor_member_id: str
    merged_member_id: str
    by: str
    at: datetime
    undone_at: datetime | None = None
    undone_by: str | None = None


class MergeSuggestion(BaseModel):
    member_ids: tuple[str, str]
    reasons: list[str]


class MergeSuggestionPage(BaseModel):
    items: list[MergeSuggestion]
    next_cursor: str | None = None


@dataclass(frozen=True)
class MergeEntry:
    """One line of a workspace's merge log: a merge or the undoing of one."""

    seq: int
    kind: Literal["merge", "unmerge"]
    merge_id: str
    survivor: str
    merged: str
    by: str
    at: datetime


@dataclass
class MergeState:
    """Who is merged into whom, folded from the workspace's merge log (oldest first).

    A survivor may itself be merged later (chains resolve transitively); a merge only ever
    points from a canonical member to a canonical member, so chains never loop.
    """

    head: int = 0
    merges: dict[str, Merge] = field(default_factory=dict)
    into: dict[str, str] = field(default_factory=dict)  # merged -> survivor, active merges
    active: dict[str, str] = field(default_factory=dict)  # merged -> merge_id
    dismissed: set[frozenset[str]] = field(default_factory=set)  # pairs a manager split

    def apply(self, entries: Iterable[MergeEntry]) -> None:
        for entry in sorted(entries, key=lambda e: e.seq):
            if entry.seq <= self.head:
                continue
            self.head = entry.seq
            if entry.kind == "merge":
                self.merges[entry.merge_id] = Merge(
                    merge_id=entry.merge_id,
                    survivor_member_id=entry.survivor,
                    merged_member_id=entry.merged,
                    by=entry.by,
                    at=entry.at,
                )
                self.into[entry.merged] = entry.survivor
                self.active[entry.merged] = entry.merge_id
            else:
                merge = self.merges.get(entry.merge_id)
                if merge is not None:
                    merge.undone_at, merge.undone_by = entry.at, entry.by
                if self.active.get(entry.merged) == entry.merge_id:
                    del self.into[entry.merged]
                    del self.active[entry.merged]
                self.dismissed.add(frozenset((entry.survivor, entry.merged)))

    def canonical(self, member_id: str) -> str:
        seen = 0
        while member_id in self.into and seen < 64:
            member_id = self.into[member_id]
            seen += 1
        return member_id

    def group(self, member_id: str) -> list[str]:
        """Every member whose canonical is `member_id`'s canonical, that one first."""
        root = self.canonical(member_id)
        others = sorted(m for m in self.into if self.canonical(m) == root)
        return [root, *others]

    def check_merge(
        self,
        survivor: str,
        merged: str,
        platforms: Mapping[str, Mapping[str, str]],
    ) -> None:
        """Conflict when the merge is not allowed; `platforms` maps each member of both groups
        to its identities (platform -> handle)."""
        if survivor == merged:
            raise Conflict("a member cannot be merged into itself")
        if merged in self.into:
            raise Conflict(
                f"member {merged} is already merged into {self.canonical(merged)}; "
                "undo that merge first"
            )
        if survivor in self.into:
            raise Conflict(
                f"member {survivor} is merged into {self.canonical(survivor)}; "
                "merge into that member instead"
            )
        kept = _platform_handles(self.group(survivor), platforms)
        folded = _platform_handles(self.group(merged), platforms)
        clashes = sorted(kept.keys() & folded.keys())
        if clashes:
            detail = ", ".join(f"{p} ({kept[p]} and {folded[p]})" for p in clashes)
            raise Conflict(
                "two identities of the same platform are never merged: both members have "
                f"an identity on {detail}"
            )


def _platform_handles(
    members: Iterable[str], platforms: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    found: dict[str, str] = {}
    for member in members:
        found.update(platforms.get(member, {}))
    return found


def suggest_merges(
    state: MergeState,
    *,
    emails: Mapping[str, Iterable[str]],
    stems: Mapping[str, Iterable[tuple[str, str]]],
    platforms: Mapping[str, Mapping[str, str]],
) -> list[MergeSuggestion]:
    """Pairs of canonical members that look like one person: the same verified email
    (`emails`: address -> members), or the same handle on different platforms (`stems`: stem ->
    (member, platform)). Pairs that could never merge (same platform) or that a manager has
    already split are left out."""
    reasons: dict[tuple[str, str], list[str]] = {}

    def add(members: Iterable[str], reason: str) -> None:
        roots = sorted({state.canonical(m) for m in members})
        for i, a in enumerate(roots):
            for b in roots[i + 1 :]:
                reasons.setdefault((a, b), [])
                if reason not in reasons[(a, b)]:
                    reasons[(a, b)].append(reason)

    for address, members in emails.items():
        add(members, f"same verified email {address}")
    for stem, owners in stems.items():
        add((m for m, _ in owners), f"same handle {stem!r} on another platform")
    suggestions: list[MergeSuggestion] = []
    for (a, b), why in sorted(reasons.items()):
        if frozenset((a, b)) in state.dismissed:
            continue
        try:
            state.check_merge(a, b, platforms)
        except Conflict:
            continue
        suggestions.append(MergeSuggestion(member_ids=(a, b), reasons=why))
    return suggestions
