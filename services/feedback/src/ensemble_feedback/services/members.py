"""Members: sign-up and tokens, profile and consents, signed links, identities, trust, merges.

Also the `MemberDirectory` the rest of feedback asks who a member really is. `canonical()` runs
on every vote, so merges are cached per workspace: each process keeps the folded merge log and
re-reads only the entries after the last one it has, at most once per `merge_ttl` seconds (one
indexed range query that usually returns nothing). A merge made here refreshes this process at
once; other replicas see it within `merge_ttl`. `trust()` runs on every vote too: each identity's
level is cached for `trust_ttl` seconds (a change made here drops it at once; another replica's
block is seen here within `trust_ttl`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jwt

from ensemble_feedback.models.members import (
    INGEST_PLATFORMS,
    TOPICS,
    EngagementWeights,
    Identity,
    Member,
    MemberProfile,
    Merge,
    MergeEntry,
    MergeState,
    MergeSuggestion,
    MergeSuggestionPage,
    ProfileChange,
    SignUp,
    Topic,
    Unsubscribed,
    handle_key,
    suggest_merges,
)
from ensemble_feedback.services.ports import MemberDirectory, TrustLevel
from ensemble_feedback.storage.members import (
    HandleRepository,
    MemberRepository,
    MergeLogRepository,
    SettingsRepository,
)
from ensemble_shared.auth import Principal, Role, Tokens
from ensemble_shared.errors import Conflict, EnsembleError, Invalid, NotFound, Unauthenticated
from ensemble_shared.events import (
    MemberData,
    MemberMergeData,
    MemberMergedV1,
    MemberRegisteredV1,
    MemberUnmergedV1,
    MemberUpdatedV1,
    new_id,
    utcnow,
)
from ensemble_shared.logs import correlation_id
from ensemble_shared.storage.pagination import decode_cursor, encode_cursor

SOURCE = "ensemble/feedback"
MEMBER_TOKEN_TTL = timedelta(days=30)
EMAIL_LINK_TTL = timedelta(days=7)
UNSUBSCRIBE_PATH = "/unsubscribe"
VERIFY_EMAIL_PATH = "/members/verify-email"
_RETRIES = 5


class BadLink(EnsembleError):
    """A link token that is not even well-formed (answered 400)."""


class SignedLinks:
    """Links a member clicks without logging in: one-click unsubscribe, email verification.

    Each kind is an HS256 JWT under its own key derived from the service's auth secret
    (HMAC(secret, purpose)), so a link token is never a bearer token nor another kind of link.
    Unsubscribe links do not expire (mail clients and RFC 8058 expect them to keep working);
    verification links do, and name the address they verify.
    """

    def __init__(self, secret: str) -> None:
        self._keys = {
            purpose: hmac.new(secret.encode(), f"ensemble/{purpose}".encode(), hashlib.sha256)
            .hexdigest()
            .encode()
            for purpose in ("unsubscribe", "verify-email")
        }

    def unsubscribe_token(self, workspace: str, member_id: str, topic: Topic) -> str:
        claims = {"ws": workspace, "sub": member_id, "topic": topic, "iat": utcnow()}
        return jwt.encode(claims, self._keys["unsubscribe"], algorithm="HS256")

    def unsubscribe_path(self, workspace: str, member_id: str, topic: Topic) -> str:
        """`/unsubscribe?token=...`: the path notify appends to feedback's public URL."""
        token = self.unsubscribe_token(workspace, member_id, topic)
        return f"{UNSUBSCRIBE_PATH}?{urlencode({'token': token})}"

    def read_unsubscribe(self, token: str) -> tuple[str, str, Topic]:
        claims = self._read(token, "unsubscribe", "unsubscribe link", ["ws", "sub", "topic"])
        topic = claims["topic"]
        if topic not in TOPICS:
            raise BadLink(f"unsubscribe link: unknown topic {topic!r}")
        return str(claims["ws"]), str(claims["sub"]), topic

    def verification_path(self, workspace: str, member_id: str, email: str) -> str:
        now = utcnow()
        claims = {
            "ws": workspace,
            "sub": member_id,
            "email": email.lower(),
            "iat": now,
            "exp": now + EMAIL_LINK_TTL,
        }
        token = jwt.encode(claims, self._keys["verify-email"], algorithm="HS256")
        return f"{VERIFY_EMAIL_PATH}?{urlencode({'token': token})}"

    def read_verification(self, token: str) -> tuple[str, str, str]:
        claims = self._read(
            token, "verify-email", "verification link", ["ws", "sub", "email", "exp"]
        )
        return str(claims["ws"]), str(claims["sub"]), str(claims["email"])

    def _read(self, token: str, purpose: str, what: str, required: list[str]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._keys[purpose], algorithms=["HS256"], options={"require": required}
            )
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated(
                f"{what}: the signature does not match (the link was altered or forged)"
            ) from exc
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(f"{what}: the link has expired") from exc
        except jwt.PyJWTError as exc:
            raise BadLink(f"{what}: not a link this service made ({exc})") from exc
        return claims


@dataclass
class _Cached:
    state: MergeState
    checked: float


class MergeCache:
    """Per-workspace merge state, refreshed from the log at most every `ttl` seconds."""

    def __init__(
        self,
        merges: MergeLogRepository,
        *,
        ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._merges = merges
        self._ttl = ttl
        self._clock = clock
        self._cached: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def state(self, workspace: str, *, fresh: bool = False) -> MergeState:
        cached = self._cached.get(workspace)
        if cached is not None and not fresh and self._clock() - cached.checked < self._ttl:
            return cached.state
        lock = self._locks.setdefault(workspace, asyncio.Lock())
        async with lock:  # one reader per workspace; the others wait and reuse its result
            cached = self._cached.get(workspace)
            asked = self._clock()
            if cached is not None and not fresh and asked - cached.checked < self._ttl:
                return cached.state
            state = cached.state if cached is not None else MergeState()
            state.apply(await self._merges.since(workspace, state.head))
            self._cached[workspace] = _Cached(state, asked)
            return state


def _envelope(workspace: str, subject: str) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "subject": subject,
        "workspace": workspace,
        "correlation_id": correlation_id.get() or new_id(),
    }


class MemberService:
    """Implements `MemberDirectory` (services/ports.py) besides the member-facing use cases."""

    def __init__(
        self,
        members: MemberRepository,
        handles: HandleRepository,
        merges: MergeLogRepository,
        settings: SettingsRepository,
        tokens: Tokens,
        links: SignedLinks,
        *,
        merge_ttl: float = 1.0,
        trust_ttl: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._members = members
        self._handles = handles
        self._merges = merges
        self._settings = settings
        self._tokens = tokens
        self.links = links
        self.cache = MergeCache(merges, ttl=merge_ttl)
        self._trust_ttl = trust_ttl
        self._clock = clock
        self._trusts: dict[tuple[str, str], tuple[TrustLevel, float]] = {}

    # --- sign-up and profile -------------------------------------------------------------

    async def sign_up(self, workspace: str, body: SignUp) -> tuple[MemberProfile, str, int]:
        now = utcnow()
        member = Member(
            member_id=new_id(),
            workspace=workspace,
            display_name=body.display_name,
            email=body.email,
            language=body.language,
            consents=tuple(t for t in TOPICS if t in body.consents),
            created_at=now,
            updated_at=now,
        )
        event = MemberRegisteredV1(
            **_envelope(workspace, member.member_id),
            data=self._data(member, verify=body.email is not None),
        )
        await self._members.insert(member, [event])
        token = self._tokens.mint(
            Principal(
                subject=member.member_id, workspace=workspace, roles=frozenset({Role.MEMBER})
            ),
            ttl=MEMBER_TOKEN_TTL,
        )
        profile = await self.profile(workspace, member.member_id)
        return profile, token, int(MEMBER_TOKEN_TTL.total_seconds())

    async def profile(self, workspace: str, member_id: str) -> MemberProfile:
        """The member as it stands: a merged id answers with its survivor."""
        state = await self.cache.state(workspace)
        root = state.canonical(member_id)
        member = await self._members.get(workspace, root)
        if member is None:
            raise NotFound(f"no member {member_id}")
        group = state.group(root)
        identities = await self._handles.of_members(workspace, group)
        return _profile(member, group, identities)

    async def change_profile(
        self, workspace: str, member_id: str, change: ProfileChange
    ) -> MemberProfile:
        sent = change.model_fields_set
        fields: dict[str, Any] = {}
        if "display_name" in sent:
            if change.display_name is None:
                raise Invalid("display_name: cannot be removed")
            fields["display_name"] = change.display_name
        if "language" in sent:
            if change.language is None:
                raise Invalid("language: cannot be removed")
            fields["language"] = change.language
        if "consents" in sent:
            chosen = change.consents or set()
            fields["consents"] = tuple(t for t in TOPICS if t in chosen)
        if "email" in sent:
            fields["email"] = change.email

        def apply(member: Member) -> tuple[Member, bool] | None:
            updates = {k: v for k, v in fields.items() if getattr(member, k) != v}
            email_changed = "email" in updates and (
                (member.email or "").lower() != (change.email or "").lower()
            )
            if email_changed:
                updates["email_verified"] = False
            if not updates:
                return None
            return member.model_copy(update=updates), email_changed and change.email is not None

        await self._update(workspace, member_id, apply)
        return await self.profile(workspace, member_id)

    async def verify_email(self, token: str) -> MemberProfile:
        workspace, member_id, email = self.links.read_verification(token)

        def apply(member: Member) -> tuple[Member, bool] | None:
            if (member.email or "").lower() != email:
                raise Conflict("verification link: the member's address changed since it was sent")
            if member.email_verified:
                return None
            return member.model_copy(update={"email_verified": True}), False

        # The link names the member that asked; its state may since live on a survivor.
        member = await self._update(workspace, member_id, apply, canonical=False)
        return await self.profile(workspace, member.member_id)

    async def unsubscribe(self, token: str) -> Unsubscribed:
        workspace, member_id, topic = self.links.read_unsubscribe(token)

        def apply(member: Member) -> tuple[Member, bool] | None:
            if topic not in member.consents:
                return None
            kept = tuple(t for t in member.consents if t != topic)
            return member.model_copy(update={"consents": kept}), False

        member = await self._update(workspace, member_id, apply)
        return Unsubscribed(member_id=member.member_id, topic=topic, consents=member.consents)

    async def _update(
        self,
        workspace: str,
        member_id: str,
        apply: Callable[[Member], tuple[Member, bool] | None],
        *,
        canonical: bool = True,
    ) -> Member:
        """Optimistic update of the (canonical) member, retried on a lost race; the change and
        its member.updated event are one write. `apply` returns None when nothing changes."""
        if canonical:
            member_id = (await self.cache.state(workspace)).canonical(member_id)
        for _ in range(_RETRIES):
            member = await self._members.get(workspace, member_id)
            if member is None:
                raise NotFound(f"no member {member_id}")
            outcome = apply(member)
            if outcome is None:
                return member
            changed, verify = outcome
            changed = changed.model_copy(
                update={"version": member.version + 1, "updated_at": utcnow()}
            )
            event = MemberUpdatedV1(
                **_envelope(workspace, member.member_id),
                data=self._data(changed, verify=verify),
            )
            if await self._members.update(changed, [event], expected_version=member.version):
                self._trusts.pop((workspace, member.member_id), None)
                return changed
        raise Conflict("the member changed meanwhile; try again")

    def _data(self, member: Member, *, verify: bool) -> MemberData:
        """What notify needs: the address, consents, and the links it puts in its messages."""
        unsubscribe = {
            t: self.links.unsubscribe_path(member.workspace, member.member_id, t) for t in TOPICS
        }
        return MemberData(
            member_id=member.member_id,
            display_name=member.display_name,
            email=member.email,
            language=member.language,
            consents=member.consents,
            email_verified=member.email_verified,
            unsubscribe_paths=unsubscribe,
            verify_email_path=(
                self.links.verification_path(member.workspace, member.member_id, member.email)
                if verify and member.email
                else None
            ),
        )

    # --- identities ----------------------------------------------------------------------

    async def link_identity(
        self, workspace: str, member_id: str, platform: str, handle: str
    ) -> MemberProfile:
        """Link a platform handle: one member per handle, one handle per platform per member
        (merged members included, as merging them would be refused otherwise)."""
        if not handle_key(platform, handle):
            raise Invalid("handle: empty once the @ is removed")
        state = await self.cache.state(workspace)
        root = state.canonical(member_id)
        if await self._members.get(workspace, root) is None:
            raise NotFound(f"no member {member_id}")
        owner = await self._handles.owner(workspace, platform, handle)
        if owner is not None:
            if state.canonical(owner) == root:
                return await self.profile(workspace, root)
            raise Conflict(f"the {platform} handle {handle!r} is linked to another member")
        group = state.group(root)
        identities = await self._handles.of_members(workspace, group)
        held = [i for ids in identities.values() for i in ids if i.platform == platform]
        if held:
            raise Conflict(
                f"this member already has a {platform} identity ({held[0].handle}); unlink it first"
            )
        if not await self._handles.claim(workspace, member_id, platform, handle):
            raise Conflict(f"the {platform} handle {handle!r} was linked meanwhile")
        return await self.profile(workspace, root)

    async def unlink_identity(self, workspace: str, member_id: str, platform: str) -> MemberProfile:
        state = await self.cache.state(workspace)
        group = state.group(member_id)
        identities = await self._handles.of_members(workspace, group)
        owners = [m for m, ids in identities.items() if any(i.platform == platform for i in ids)]
        if not owners:
            raise NotFound(f"no {platform} identity linked")
        for owner in owners:
            await self._handles.release(workspace, owner, platform)
        return await self.profile(workspace, member_id)

    # --- staff ---------------------------------------------------------------------------

    async def page(
        self, workspace: str, *, cursor: str | None, limit: int
    ) -> tuple[list[MemberProfile], str | None]:
        """Canonical members, newest first (merged ones show under their survivor)."""
        try:
            after = decode_cursor(cursor) if cursor else None
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        state = await self.cache.state(workspace)
        members = await self._members.page(
            workspace, after=after, excluded=state.into.keys(), limit=limit
        )
        groups = {m.member_id: state.group(m.member_id) for m in members}
        identities = await self._handles.of_members(
            workspace, [i for g in groups.values() for i in g]
        )
        profiles = [_profile(m, groups[m.member_id], identities) for m in members]
        last = members[-1] if len(members) == limit else None
        return profiles, encode_cursor(last.created_at, last.member_id) if last else None

    async def set_trust(
        self,
        workspace: str,
        member_id: str,
        level: TrustLevel,
        by: str,
        *,
        reason: str | None = None,
    ) -> MemberProfile:
        """Set the trust level of the member's canonical identity (moderation blocks and
        unblocks through here). Lifting a block lifts it on every merged identity too."""
        state = await self.cache.state(workspace)
        root = state.canonical(member_id)

        def apply(member: Member) -> tuple[Member, bool] | None:
            if member.trust == level and member.trust_reason == reason:
                return None
            update = {"trust": level, "trust_reason": reason, "trust_by": by}
            return member.model_copy(update=update), False

        await self._update(workspace, root, apply, canonical=False)
        if level != TrustLevel.BLOCKED:
            others = await self._members.get_many(workspace, state.group(root)[1:])
            unblock = TrustLevel.NEW
            for other in others.values():
                if other.trust == TrustLevel.BLOCKED:

                    def lift(member: Member) -> tuple[Member, bool] | None:
                        if member.trust != TrustLevel.BLOCKED:
                            return None
                        return member.model_copy(update={"trust": unblock, "trust_by": by}), False

                    await self._update(workspace, other.member_id, lift, canonical=False)
        return await self.profile(workspace, root)

    async def weights(self, workspace: str) -> EngagementWeights:
        return await self._settings.weights(workspace) or EngagementWeights()

    async def set_weights(
        self, workspace: str, weights: EngagementWeights, by: str
    ) -> EngagementWeights:
        await self._settings.set_weights(workspace, weights, by)
        return weights

    # --- merges --------------------------------------------------------------------------

    async def suggestions(
        self, workspace: str, *, cursor: str | None, limit: int
    ) -> MergeSuggestionPage:
        """Members that look like one person; ordered by pair, `cursor` = the last pair."""
        state = await self.cache.state(workspace)
        emails = await self._members.verified_emails(workspace)
        stems = await self._handles.shared_stems(workspace)
        involved = {m for ms in emails.values() for m in ms}
        involved |= {m for owners in stems.values() for m, _ in owners}
        involved = {g for m in involved for g in state.group(m)}
        platforms = await self._platforms(workspace, involved)
        found: list[MergeSuggestion] = suggest_merges(
            state, emails=emails, stems=stems, platforms=platforms
        )
        if cursor:
            found = [s for s in found if "|".join(s.member_ids) > cursor]
        page = found[:limit]
        more = len(found) > limit
        return MergeSuggestionPage(
            items=page, next_cursor="|".join(page[-1].member_ids) if more and page else None
        )

    async def merges(self, workspace: str, *, limit: int) -> list[Merge]:
        state = await self.cache.state(workspace)
        return sorted(state.merges.values(), key=lambda m: m.at, reverse=True)[:limit]

    async def merge(self, workspace: str, survivor: str, merged: str, by: str) -> Merge:
        """Fold `merged` (and whatever was merged into it) into `survivor`."""
        found = await self._members.get_many(workspace, [survivor, merged])
        for member_id in (survivor, merged):
            if member_id not in found:
                raise NotFound(f"no member {member_id}")
        merge_id = new_id()
        for _ in range(_RETRIES):
            state = await self.cache.state(workspace, fresh=True)
            involved = state.group(survivor) + state.group(merged)
            state.check_merge(survivor, merged, await self._platforms(workspace, involved))
            entry = MergeEntry(
                seq=state.head + 1,
                kind="merge",
                merge_id=merge_id,
                survivor=survivor,
                merged=merged,
                by=by,
                at=utcnow(),
            )
            event = MemberMergedV1(
                **_envelope(workspace, merged),
                data=MemberMergeData(
                    merge_id=merge_id,
                    survivor_member_id=survivor,
                    merged_member_id=merged,
                    by=by,
                ),
            )
            if await self._merges.append(workspace, entry, [event]):
                state = await self.cache.state(workspace, fresh=True)
                return state.merges[merge_id]
        raise Conflict("merges kept changing meanwhile; try again")

    async def unmerge(self, workspace: str, merge_id: str, by: str) -> Merge:
        for _ in range(_RETRIES):
            state = await self.cache.state(workspace, fresh=True)
            merge = state.merges.get(merge_id)
            if merge is None:
                raise NotFound(f"no merge {merge_id}")
            if merge.undone_at is not None:
                return merge
            entry = MergeEntry(
                seq=state.head + 1,
                kind="unmerge",
                merge_id=merge_id,
                survivor=merge.survivor_member_id,
                merged=merge.merged_member_id,
                by=by,
                at=utcnow(),
            )
            event = MemberUnmergedV1(
                **_envelope(workspace, merge.merged_member_id),
                data=MemberMergeData(
                    merge_id=merge_id,
                    survivor_member_id=merge.survivor_member_id,
                    merged_member_id=merge.merged_member_id,
                    by=by,
                ),
            )
            if await self._merges.append(workspace, entry, [event]):
                state = await self.cache.state(workspace, fresh=True)
                return state.merges[merge_id]
        raise Conflict("merges kept changing meanwhile; try again")

    async def _platforms(
        self, workspace: str, member_ids: Iterable[str]
    ) -> dict[str, dict[str, str]]:
        identities = await self._handles.of_members(workspace, member_ids)
        return {m: {i.platform: i.handle for i in ids} for m, ids in identities.items()}

    # --- MemberDirectory -----------------------------------------------------------------

    async def canonical(
        self, workspace: str, member_ids: Iterable[str], *, fresh: bool = False
    ) -> dict[str, str]:
        state = await self.cache.state(workspace, fresh=fresh)
        return {m: state.canonical(m) for m in member_ids}

    async def group(self, workspace: str, member_id: str) -> list[str]:
        """The member's canonical id first, then every id merged into it."""
        return (await self.cache.state(workspace)).group(member_id)

    async def identities(self, workspace: str, member_ids: Iterable[str]) -> list[Identity]:
        found = await self._handles.of_members(workspace, member_ids)
        return [i for ids in found.values() for i in ids]

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        """The canonical member's level, but BLOCKED if any merged identity is blocked (a merge
        never launders a block)."""
        state = await self.cache.state(workspace)
        group = state.group(member_id)
        levels = await self._trust_levels(workspace, group)
        if group[0] not in levels:
            raise NotFound(f"no member {member_id}")
        if any(level == TrustLevel.BLOCKED for level in levels.values()):
            return TrustLevel.BLOCKED
        return levels[group[0]]

    async def _trust_levels(self, workspace: str, member_ids: list[str]) -> dict[str, TrustLevel]:
        """Each identity's own level, read at most once per `trust_ttl` (the group is not
        cached: a merge or unmerge counts at once)."""
        now = self._clock()
        levels: dict[str, TrustLevel] = {}
        stale: list[str] = []
        for member_id in member_ids:
            cached = self._trusts.get((workspace, member_id))
            if cached is not None and now - cached[1] < self._trust_ttl:
                levels[member_id] = cached[0]
            else:
                stale.append(member_id)
        if stale:
            found = await self._members.get_many(workspace, stale)
            for member_id, member in found.items():
                self._trusts[(workspace, member_id)] = (member.trust, now)
                levels[member_id] = member.trust
        return levels

    async def consenting(self, workspace: str, member_ids: Iterable[str], topic: str) -> set[str]:
        state = await self.cache.state(workspace)
        roots = {state.canonical(m) for m in member_ids}
        members = await self._members.get_many(workspace, roots)
        return {m.member_id for m in members.values() if topic in m.consents}

    async def by_handle(self, workspace: str, platform: str, handle: str) -> str | None:
        """`platform` may be ours or ingest's name for it (`meta` = facebook or instagram)."""
        for candidate in INGEST_PLATFORMS.get(platform, (platform,)):
            owner = await self._handles.owner(workspace, candidate, handle)
            if owner is not None:
                return (await self.cache.state(workspace)).canonical(owner)
        return None


def _profile(
    member: Member, group: list[str], identities: dict[str, list[Identity]]
) -> MemberProfile:
    return MemberProfile(
        member_id=member.member_id,
        display_name=member.display_name,
        email=member.email,
        email_verified=member.email_verified,
        language=member.language,
        consents=member.consents,
        trust=member.trust,
        identities=sorted(
            (i for m in group for i in identities.get(m, [])), key=lambda i: i.platform
        ),
        merged_member_ids=group[1:],
        created_at=member.created_at,
    )


if TYPE_CHECKING:  # mypy proves the service is the directory other areas code against
    _directory: type[MemberDirectory] = MemberService
