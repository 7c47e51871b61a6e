"""Members, their platform identities, merges and engagement: the domain, no I/O.

A member's state lives on the *canonical* member (the survivor of any merge): profile,
consents and trust are read there, while activity stays recorded under the identity that acted
so that undoing a merge gives each member their own history back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ensemble_feedback.services.ports import ActivityKind, TrustLevel
from ensemble_shared.errors import Conflict
from ensemble_shared.events.members import Language

Platform = Literal[
    "mastodon",
    "bluesky",
    "x",
    "reddit",
    "github",
    "slack",
    "youtube",
    "facebook",
    "instagram",
    "generic",
]
Topic = Literal["ideas_followed", "status_changes", "events_nearby"]
TOPICS: tuple[Topic, ...] = ("ideas_followed", "status_changes", "events_nearby")

# How ingest names the platform a mention came from, when it differs from ours.
MENTION_PLATFORM: dict[str, str] = {"facebook": "meta", "instagram": "meta"}
INGEST_PLATFORMS: dict[str, tuple[str, ...]] = {"meta": ("facebook", "instagram")}

# email-validator is not a dependency: a shape check is enough, ownership is proven by the
# signed verification link.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN)
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Handle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]


class Request(BaseModel):
    """Bodies members and staff send: unknown fields (trust, counters, ...) are refused."""

    model_config = ConfigDict(extra="forbid")


class SignUp(Request):
    display_name: DisplayName
    email: Email | None = None
    language: Language = "en"
    consents: set[Topic] = Field(
        default_factory=set, description="Topics the member agrees to hear about."
    )


class ProfileChange(Request):
    """Only the fields sent change; `email: null` removes the address."""

    display_name: DisplayName | None = None
    email: Email | None = None
    language: Language | None = None
    consents: set[Topic] | None = None


class TrustChange(Request):
    level: TrustLevel
    reason: str | None = Field(default=None, max_length=500)


class IdentityLink(Request):
    platform: Platform
    handle: Handle


class MergeRequest(Request):
    survivor_member_id: str = Field(min_length=1, max_length=100)
    merged_member_id: str = Field(min_length=1, max_length=100)


class EngagementWeights(Request):
    """Points per activity kind (Orbit-style); a kind left out keeps its default."""

    submission: float = Field(default=5, ge=0, le=1000)
    comment: float = Field(default=3, ge=0, le=1000)
    vote: float = Field(default=1, ge=0, le=1000)
    attendance: float = Field(default=8, ge=0, le=1000)
    rsvp: float = Field(default=1, ge=0, le=1000)
    mention: float = Field(default=2, ge=0, le=1000)
    suggestion: float = Field(default=2, ge=0, le=1000)

    def of(self, kind: str) -> float:
        value = getattr(self, kind, 0.0)
        return float(value) if isinstance(value, int | float) else 0.0


def engagement(counts: Mapping[str, int], weights: EngagementWeights) -> float:
    """The weighted sum of distinct activities per kind."""
    return float(sum(weights.of(kind) * n for kind, n in counts.items()))


class Member(BaseModel):
    """A stored member (the canonical one carries the state that counts)."""

    member_id: str
    workspace: str
    display_name: str
    email: str | None = None
    email_verified: bool = False
    language: Language = "en"
    consents: tuple[Topic, ...] = ()
    trust: TrustLevel = TrustLevel.NEW
    trust_reason: str | None = None
    trust_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0


class Identity(BaseModel):
    platform: Platform
    handle: str
    linked_at: datetime


class MemberProfile(BaseModel):
    """A member as shown: its own profile plus the identities of its whole merge group."""

    member_id: str
    display_name: str
    email: str | None
    email_verified: bool
    language: Language
    consents: tuple[Topic, ...]
    trust: TrustLevel
    identities: list[Identity]
    merged_member_ids: list[str] = Field(
        default_factory=list, description="Members merged into this one."
    )
    engagement: float | None = None
    created_at: datetime


class SignedUp(BaseModel):
    member: MemberProfile
    token: str = Field(description="Bearer token (role member) for /members/me and writes.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int = Field(description="Seconds the token stays valid.")


class MemberPage(BaseModel):
    items: list[MemberProfile]
    next_cursor: str | None = None


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


class TimelineItem(BaseModel):
    kind: ActivityKind
    ref: str
    member_id: str | None = Field(description="The identity that acted (None for mentions).")
    at: datetime
    detail: str | None = Field(default=None, description="Mention excerpt, for mentions.")


class Timeline(BaseModel):
    member_id: str
    engagement: float
    counts: dict[str, int]
    items: list[TimelineItem]
    next_cursor: str | None = None


class Unsubscribed(BaseModel):
    member_id: str
    topic: Topic
    consents: tuple[Topic, ...]


def handle_key(platform: str, handle: str) -> str:
    """The form a handle is compared in: lower case, without the `@` or `u/` people type."""
    key = handle.strip().lower()
    if platform == "reddit" and key.startswith(("u/", "/u/")):
        key = key.split("u/", 1)[1]
    return key.lstrip("@")


def handle_stem(platform: str, key: str) -> str:
    """The user part of a handle (`alice` of `alice@mastodon.social` or `alice.bsky.social`),
    compared across platforms to suggest merges."""
    if platform == "mastodon":
        return key.split("@", 1)[0]
    if platform == "bluesky":
        return key.split(".", 1)[0]
    return key


_VARIANT = re.compile(r"^@+")


def mention_handles(platform: str, handle: str) -> tuple[str, list[str]]:
    """Where the mentions written by this identity are kept: (ingest platform, handle forms)."""
    key = handle_key(platform, handle)
    forms = {handle.strip(), key, f"@{key}", _VARIANT.sub("", handle.strip())}
    if platform == "reddit":
        forms.add(f"u/{key}")
    return MENTION_PLATFORM.get(platform, platform), sorted(forms)


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
