"""Votes: a submission's insert-only vote chain and the pure fold that counts it (`Tally`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.errors import Conflict


class VoteResult(BaseModel):
    submission_id: str
    votes: int
    voted: bool = Field(description="Whether the caller (as their merged member) votes now.")


VoteAction = Literal["voted", "retracted", "recount", "closed"]


class VoteEntry(BaseModel):
    """One link of a submission's vote chain: who did what, and the count right after.

    `member_id` is the identity that acted (not its merged member), so an unmerge gives each
    identity its own vote back; `count` counts distinct merged members as resolved when the
    entry was written (a `recount` entry corrects it after a member merge or unmerge).
    """

    model_config = ConfigDict(frozen=True)

    submission_id: str
    seq: int = Field(ge=1)
    member_id: str
    canonical_id: str
    action: VoteAction
    count: int = Field(ge=0)
    carried_from: str | None = None
    into: str | None = Field(default=None, description="closed: the submission merged into.")
    at: datetime


class Tally:
    """A submission's vote state, folded from its chain; plans the entries a change appends.

    Pure: the caller resolves merged members (`canon`: identity → merged member, covering the
    active voters and whoever acts) and writes what is planned.
    """

    def __init__(self, submission_id: str) -> None:
        self.submission_id = submission_id
        self.seq = 0
        self.count = 0
        self.active: dict[str, None] = {}  # identities whose vote stands, in order
        self.closed_into: str | None = None  # merged into another submission: no more votes

    def copy(self) -> Tally:
        twin = Tally(self.submission_id)
        twin.seq, twin.count, twin.active = self.seq, self.count, dict(self.active)
        twin.closed_into = self.closed_into
        return twin

    def apply(self, entry: VoteEntry) -> None:
        """Fold the next entry in. One already folded is skipped: readers catching up and the
        writer that wrote it may both bring it, and a seq is unique in the chain."""
        if entry.seq <= self.seq:
            return
        if entry.seq != self.seq + 1:
            raise ValueError(f"vote chain gap: at {self.seq}, got {entry.seq}")
        self.seq = entry.seq
        self.count = entry.count
        if entry.action == "voted":
            self.active[entry.member_id] = None
        elif entry.action == "retracted":
            self.active.pop(entry.member_id, None)
        elif entry.action == "closed":
            self.closed_into = entry.into

    def distinct(self, canon: dict[str, str]) -> int:
        return len({canon.get(m, m) for m in self.active})

    def votes_as(self, canonical_id: str, canon: dict[str, str]) -> bool:
        return any(canon.get(m, m) == canonical_id for m in self.active)

    def _next(
        self,
        member_id: str,
        canon: dict[str, str],
        action: VoteAction,
        at: datetime,
        carried_from: str | None = None,
        into: str | None = None,
    ) -> VoteEntry:
        entry = VoteEntry(
            submission_id=self.submission_id,
            seq=self.seq + 1,
            member_id=member_id,
            canonical_id=canon.get(member_id, member_id),
            action=action,
            count=0,
            carried_from=carried_from,
            into=into,
            at=at,
        )
        after = self.copy()
        if action == "voted":
            after.active[member_id] = None
        elif action == "retracted":
            after.active.pop(member_id, None)
        entry = entry.model_copy(update={"count": after.distinct(canon)})
        self.apply(entry)
        return entry

    # The plan_* methods advance this tally as if their entries were written: plan on a copy.

    def plan_vote(
        self, member_id: str, canon: dict[str, str], at: datetime, carried_from: str | None = None
    ) -> list[VoteEntry]:
        """Nothing when the member (any of its merged identities) already votes."""
        self._open()
        if self.votes_as(canon.get(member_id, member_id), canon):
            return []
        return [self._next(member_id, canon, "voted", at, carried_from)]

    def plan_retract(self, member_id: str, canon: dict[str, str], at: datetime) -> list[VoteEntry]:
        """Take back the merged member's vote, whichever of its identities cast it."""
        self._open()
        group = canon.get(member_id, member_id)
        mine = [m for m in self.active if canon.get(m, m) == group]
        return [self._next(m, canon, "retracted", at) for m in mine]

    def plan_recount(self, canon: dict[str, str], at: datetime) -> list[VoteEntry]:
        """A correcting entry when merges changed how many distinct members vote."""
        if self.distinct(canon) == self.count:
            return []
        return [self._next("", canon, "recount", at)]

    def plan_close(self, into: str, canon: dict[str, str], at: datetime) -> list[VoteEntry]:
        """Close the chain (merged into `into`); nothing if it already is, Conflict if it was
        merged elsewhere."""
        if self.closed_into == into:
            return []
        self._open()
        return [self._next("", canon, "closed", at, into=into)]

    def _open(self) -> None:
        if self.closed_into is not None:
            raise Conflict(f"this submission was merged into {self.closed_into}; vote there")
