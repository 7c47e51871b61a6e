"""Member profiles follow identity's accounts: the person's name and address are identity's.

A member profile's id is the identity account id (the member token's subject), so identity's
events name it directly. Only an account that already has a profile here is followed; the
profile's own document changes (not a merge survivor's: the account is that person). The
event's time is kept with the profile, so a redelivered or older event changes nothing.
Removal from the workspace marks the profile as gone and withdraws every consent (nothing is
sent to them any more), and keeps what they contributed: ideas, votes and comments belong to
the community's history.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_feedback.models.members import Member
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.storage.members import MemberRepository
from ensemble_shared.events import (
    AccountUpdatedV1,
    Event,
    MembershipChangedV1,
    MembershipRemovedV1,
)

FOLLOWED = (AccountUpdatedV1, MembershipChangedV1, MembershipRemovedV1)


def followed(member: Member, event: Event) -> Member | None:
    """The profile after `event`, or None when it changes nothing (old, or nothing new)."""
    if member.erased_at is not None:
        return None  # erased: identity's news of the account must not bring the person back
    if member.identity_as_of is not None and event.time <= member.identity_as_of:
        return None
    updates: dict[str, object] = {}
    if isinstance(event, MembershipRemovedV1):
        updates = {"left_at": event.time, "consents": ()}
    elif isinstance(event, MembershipChangedV1):
        updates = {"left_at": None} if member.left_at is not None else {}
    elif isinstance(event, AccountUpdatedV1):
        updates = {
            "display_name": event.data.display_name,
            "email": event.data.email,
            "email_verified": event.data.email_verified,
        }
    changed = {k: v for k, v in updates.items() if getattr(member, k) != v}
    if not changed:
        return None
    return member.model_copy(update={**changed, "identity_as_of": event.time})


class AccountFollower:
    def __init__(self, members: MemberService, stored: MemberRepository) -> None:
        self._members = members
        self._stored = stored

    async def follow(self, events: Sequence[Event]) -> None:
        for event in events:
            account_id = getattr(event.data, "account_id", None)
            if not isinstance(event, FOLLOWED) or not isinstance(account_id, str):
                continue
            stored = await self._stored.get(event.workspace, account_id)
            if stored is None or stored.erased_at is not None:
                continue  # staff, a member with no community profile yet, or one erased

            def apply(member: Member, event: Event = event) -> tuple[Member, bool] | None:
                after = followed(member, event)
                # identity sends its own verification links: feedback sends none
                return None if after is None else (after, False)

            await self._members.update(event.workspace, account_id, apply, canonical=False)
