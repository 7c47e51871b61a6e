"""Submissions, votes, comments and the roadmap: documents, API schemas and the status machine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator

from ensemble_feedback.services.ports import Similar
from ensemble_shared.errors import Conflict, Invalid
from ensemble_shared.events import SocialOrigin, SubmissionKind, SubmissionStatus

STATUSES: tuple[SubmissionStatus, ...] = (
    "open",
    "under_review",
    "planned",
    "in_progress",
    "done",
    "declined",
)

# Forward along the roadmap one step (or straight to done from in_progress), back one step when
# a plan slips, declined from anywhere not finished, and a declined idea may be reopened.
TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    "open": frozenset({"under_review", "declined"}),
    "under_review": frozenset({"planned", "open", "declined"}),
    "planned": frozenset({"in_progress", "under_review", "declined"}),
    "in_progress": frozenset({"done", "planned", "declined"}),
    "done": frozenset(),
    "declined": frozenset({"open"}),
}


def check_transition(
    previous: SubmissionStatus, status: SubmissionStatus, reason: str | None
) -> None:
    """Invalid (422) when the roadmap does not allow `previous → status`, or a decline has no
    reason."""
    if status not in TRANSITIONS[previous]:
        allowed = ", ".join(sorted(TRANSITIONS[previous])) or "none (final)"
        raise Invalid(f"status: {previous} → {status} is not allowed; from {previous}: {allowed}")
    if status == "declined" and not (reason and reason.strip()):
        raise Invalid("reason: a decline needs a reason the members will read")


WebLink = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], max_length=2000)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[\w\-: ]+$")]  # event:{id}


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: WebLink
    title: str | None = Field(default=None, max_length=200)


class SubmissionCreate(BaseModel):
    """What a member may write; status, votes, published and author are not theirs to set."""

    model_config = ConfigDict(extra="forbid")

    kind: SubmissionKind
    title: str = Field(min_length=3, max_length=300)
    body: str = Field(default="", max_length=10_000)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)

    @field_validator("tags")
    @classmethod
    def _distinct_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lower() for t in tags))


class Submission(BaseModel):
    """A submission as stored (without its votes: those live in the vote chain)."""

    id: str
    workspace: str
    kind: SubmissionKind
    title: str
    body: str = ""
    tags: list[str] = Field(default_factory=list)
    category: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    author_member_id: str
    status: SubmissionStatus = "open"
    status_reason: str | None = None
    published: bool = True
    discarded: bool = False
    merged_into: str | None = None
    origin: SocialOrigin | None = None
    created_at: datetime
    version: int = 0

    @property
    def visible(self) -> bool:
        """On the public board: published, not thrown out by moderation."""
        return self.published and not self.discarded


class SubmissionOut(Submission):
    votes: int = Field(ge=0, description="Distinct (merged) members voting for it.")


class SubmissionCreated(BaseModel):
    submission: SubmissionOut
    similar: list[Similar] = Field(description="Existing submissions that look like this one.")


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    next_cursor: str | None = None


class SubmissionFilters(BaseModel):
    kind: SubmissionKind | None = None
    status: SubmissionStatus | None = None
    tag: str | None = Field(default=None, max_length=50)
    category: str | None = Field(default=None, max_length=100)
    author: str | None = Field(default=None, max_length=200)
    held: bool | None = Field(default=None, description="Staff only: held for moderation.")
    cursor: str | None = Field(default=None, max_length=500)


class VoteResult(BaseModel):
    submission_id: str
    votes: int
    voted: bool = Field(description="Whether the caller (as their merged member) votes now.")


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SubmissionStatus
    reason: str | None = Field(default=None, max_length=2000)


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_id: str = Field(min_length=1, max_length=100)


class MergeResult(BaseModel):
    source: SubmissionOut
    target: SubmissionOut
    moved_votes: int
    moved_followers: int
    moved_comments: int


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)
    parent_id: str | None = Field(default=None, max_length=100)


class Comment(BaseModel):
    id: str
    workspace: str
    submission_id: str
    parent_id: str | None = None
    author_member_id: str
    body: str
    published: bool = True
    discarded: bool = False
    created_at: datetime


class CommentPage(BaseModel):
    items: list[Comment]
    next_cursor: str | None = None


class Following(BaseModel):
    submission_id: str
    following: bool


class RoadmapItem(BaseModel):
    id: str
    kind: SubmissionKind
    title: str
    tags: list[str]
    category: str | None
    votes: int


class Roadmap(BaseModel):
    workspace: str
    columns: dict[SubmissionStatus, list[RoadmapItem]]


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
