"""Identity's accounts events as tests need them, built one way."""

from __future__ import annotations

from ensemble_shared.events import MembershipRemovedData, MembershipRemovedV1


def a_removal(account_id: str = "a-1", workspace: str = "acme") -> MembershipRemovedV1:
    """The account removed from `workspace` by an admin."""
    return MembershipRemovedV1(
        source="ensemble/identity",
        subject=account_id,
        workspace=workspace,
        data=MembershipRemovedData(
            account_id=account_id, email="someone@acme.example", previous_roles=("viewer",), by="x"
        ),
    )
