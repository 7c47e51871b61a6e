"""Members: the community profile of a person identity signed in, its consents, the links a
member clicks (email verification, one-click unsubscribe), and the staff's list of members.

A member's state lives on its canonical member (the survivor of any merge): a merged id reads
and changes its survivor. Every change is an optimistic update of that member with its
`member.updated` event in the same write (`update`), retried on a lost race.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ensemble_feedback.models.members import (
    TOPICS,
    Identity,
    LinkPreview,
    Member,
    MemberProfile,
    ProfileChange,
    SignUp,
    Unsubscribed,
    UnsubscribeLink,
)
from ensemble_feedback.services.links import SignedLinks
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Gone, Invalid, NotFound
from ensemble_shared.events import (
    MemberData,
    MemberRegisteredV1,
    MemberUpdatedV1,
    Source,
    envelope,
    utcnow,
)
from ensemble_shared.storage.pagination import Position, next_cursor

RETRIES = 5  # lost races before a write gives up with a Conflict

Change = Callable[[Member], tuple[Member, bool] | None]
"""The member after a change and whether to send a verification link; None when unchanged."""


def _still_at(member: Member, email: str) -> None:
    """A verification link proves the address it was sent to, not one set since."""
    if (member.email or "").lower() != email:
        raise Conflict("verification link: the member's address changed since it was sent")


def profile_of(
    member: Member, group: list[str], identities: dict[str, list[Identity]]
) -> MemberProfile:
    """A member as shown: its own state plus the identities of its whole merge group."""
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
        left_at=member.left_at,
        erased_at=member.erased_at,
        created_at=member.created_at,
    )


class MemberService:
    def __init__(
        self,
        members: MemberRepository,
        handles: HandleRepository,
        merges: MergeCache,
        links: SignedLinks,
    ) -> None:
        self._members = members
        self._handles = handles
        self._merges = merges
        self._links = links

    # --- sign-up and the member's own profile ---

    async def sign_up(self, principal: Principal, body: SignUp) -> MemberProfile:
        """The community profile of the person identity signed in (a member token): the member
        id is the token's subject, so identity's account and feedback's member are one person.
        Tokens come from identity only (a magic link, then POST /access-tokens). The address
        identity has proven (the token's) is the profile's when none other is given, and is
        taken as verified: no second link to follow."""
        now = utcnow()
        workspace = principal.workspace
        vouched = principal.email
        email = body.email or vouched
        proven = bool(email and vouched and email.casefold() == vouched.casefold())
        member = Member(
            member_id=principal.subject,
            workspace=workspace,
            display_name=body.display_name,
            email=email,
            email_verified=proven,
            language=body.language,
            consents=tuple(t for t in TOPICS if t in body.consents),
            created_at=now,
            updated_at=now,
        )
        event = MemberRegisteredV1(
            **envelope(Source.FEEDBACK, workspace, member.member_id),
            data=self._data(member, verify=email is not None and not proven),
        )
        if not await self._members.insert(member, [event]):
            existing = await self._members.get(workspace, member.member_id)
            if existing is not None and existing.erased_at is not None:
                raise Gone("this account erased its community profile here")
            raise Conflict("you already have a community profile (PATCH /members/me changes it)")
        return await self.find(workspace, member.member_id)

    async def find(self, workspace: str, member_id: str) -> MemberProfile:
        """The member as it stands: a merged id answers with its survivor; NotFound when no
        such member."""
        state = await self._merges.state(workspace)
        root = state.canonical(member_id)
        member = await self._members.get(workspace, root)
        if member is None:
            raise NotFound(f"no member {member_id}")
        group = state.group(root)
        identities = await self._handles.of_members(workspace, group)
        return profile_of(member, group, identities)

    async def own(self, workspace: str, member_id: str) -> MemberProfile:
        """The member's own profile, as they read it: Gone once they erased their data."""
        profile = await self.find(workspace, member_id)
        if profile.erased_at is not None:
            raise Gone("you erased your community profile")
        return profile

    async def change_profile(self, principal: Principal, change: ProfileChange) -> MemberProfile:
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

        await self.update(principal.workspace, principal.subject, apply)
        return await self.find(principal.workspace, principal.subject)

    # --- links followed without logging in ---

    async def preview_verification(self, token: str) -> LinkPreview:
        workspace, member_id, email = self._links.read_verification(token)
        member = await self._members.get(workspace, member_id)
        if member is None:
            raise NotFound(f"no member {member_id}")
        _still_at(member, email)
        return LinkPreview(
            action="verify_email",
            member_id=member.member_id,
            language=member.language,
            email=email,
            done=member.email_verified,
        )

    async def preview_unsubscribe(self, token: str) -> LinkPreview:
        workspace, member_id, topic = self._links.read_unsubscribe(token)
        member = await self.find(workspace, member_id)
        return LinkPreview(
            action="unsubscribe",
            member_id=member.member_id,
            language=member.language,
            topic=topic,
            done=topic not in member.consents,
        )

    async def verify_email(self, token: str) -> MemberProfile:
        workspace, member_id, email = self._links.read_verification(token)

        def apply(member: Member) -> tuple[Member, bool] | None:
            _still_at(member, email)
            if member.email_verified:
                return None
            return member.model_copy(update={"email_verified": True}), False

        # The link names the member that asked; its state may since live on a survivor.
        member = await self.update(workspace, member_id, apply, canonical=False)
        return await self.find(workspace, member.member_id)

    async def unsubscribe_link(self, token: str) -> UnsubscribeLink:
        """What the link would stop, changing nothing (the page a person opens shows it)."""
        workspace, member_id, topic = self._links.read_unsubscribe(token)
        member = await self.find(workspace, member_id)
        return UnsubscribeLink(
            workspace=workspace,
            member_id=member.member_id,
            topic=topic,
            subscribed=topic in member.consents,
        )

    async def unsubscribe(self, token: str) -> Unsubscribed:
        workspace, member_id, topic = self._links.read_unsubscribe(token)

        def apply(member: Member) -> tuple[Member, bool] | None:
            if topic not in member.consents:
                return None
            kept = tuple(t for t in member.consents if t != topic)
            return member.model_copy(update={"consents": kept}), False

        member = await self.update(workspace, member_id, apply)
        return Unsubscribed(member_id=member.member_id, topic=topic, consents=member.consents)

    # --- staff ---

    async def page(
        self, workspace: str, *, after: Position | None, limit: int
    ) -> tuple[list[MemberProfile], str | None]:
        """Canonical members, newest first (merged ones show under their survivor)."""
        state = await self._merges.state(workspace)
        members = await self._members.page(
            workspace, after=after, excluded=state.into.keys(), limit=limit
        )
        groups = {m.member_id: state.group(m.member_id) for m in members}
        identities = await self._handles.of_members(
            workspace, [i for g in groups.values() for i in g]
        )
        profiles = [profile_of(m, groups[m.member_id], identities) for m in members]
        return profiles, next_cursor(members, limit, lambda m: (m.created_at, m.member_id))

    # --- the one way a member changes ---

    async def update(
        self, workspace: str, member_id: str, apply: Change, *, canonical: bool = True
    ) -> Member:
        """Optimistic update of the (canonical) member, retried on a lost race; the change and
        its member.updated event are one write. `apply` returns None when nothing changes."""
        if canonical:
            member_id = (await self._merges.state(workspace)).canonical(member_id)
        for _ in range(RETRIES):
            member = await self._members.get(workspace, member_id)
            if member is None:
                raise NotFound(f"no member {member_id}")
            if member.erased_at is not None:
                raise Gone("this member erased their data")
            outcome = apply(member)
            if outcome is None:
                return member
            changed, verify = outcome
            changed = changed.model_copy(
                update={"version": member.version + 1, "updated_at": utcnow()}
            )
            event = MemberUpdatedV1(
                **envelope(Source.FEEDBACK, workspace, member.member_id),
                data=self._data(changed, verify=verify),
            )
            if await self._members.update(changed, [event], previous=member):
                return changed
        raise Conflict("the member changed meanwhile; try again")

    def _data(self, member: Member, *, verify: bool) -> MemberData:
        """What notify needs: the address, consents, and the links it puts in its messages."""
        unsubscribe = {
            t: self._links.unsubscribe_path(member.workspace, member.member_id, t) for t in TOPICS
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
                self._links.verification_path(member.workspace, member.member_id, member.email)
                if verify and member.email
                else None
            ),
        )
