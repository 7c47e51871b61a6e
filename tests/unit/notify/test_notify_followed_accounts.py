"""The directory entry an account's events make, one event at a time (pure fold)."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.services.accounts import followed
from ensemble_shared.events import (
    AccountData,
    AccountUpdatedV1,
    MembershipChangedV1,
    MembershipData,
)
from support.account_events import a_removal

AT = datetime(2026, 12, 6, 12, tzinfo=UTC)
WHO = {"account_id": "a-1", "display_name": "Bo", "language": "fr"}


def changed(
    *, verified: bool = True, kind: str = "staff", roles: tuple[str, ...] = ("approver",)
) -> MembershipChangedV1:
    return MembershipChangedV1(
        source="ensemble/identity",
        subject="a-1",
        workspace="acme",
        data=MembershipData(
            **WHO,
            email="bo@acme.example",
            email_verified=verified,
            kind=kind,
            roles=roles,
            teams=("legal",),
            by="admin",
        ),
    )


def test_a_staff_membership_makes_an_entry_with_the_verified_email_roles_and_teams() -> None:
    person = followed(None, changed(), AT)
    assert person is not None
    assert (person.email, person.roles, person.teams, person.language) == (
        "bo@acme.example",
        ("approver",),
        ("legal",),
        "fr",
    )
    assert (person.origin, person.as_of) == ("identity", AT)


def test_an_unproved_address_is_never_kept() -> None:
    person = followed(None, changed(verified=False), AT)
    assert person is not None
    assert person.email is None


def test_a_member_or_a_removal_is_no_entry() -> None:
    current = followed(None, changed(), AT)
    assert followed(current, changed(kind="member", roles=("member",)), AT) is None
    removed = a_removal()
    assert followed(current, removed, AT) is None


def test_a_profile_update_changes_only_an_entry_identity_placed() -> None:
    update = AccountUpdatedV1(
        source="ensemble/identity",
        subject="a-1",
        workspace="acme",
        data=AccountData(
            **WHO | {"display_name": "Bo B."}, email="new@acme.example", email_verified=True
        ),
    )
    assert followed(None, update, AT) is None
    manual = Person.of("acme", "a-1", PersonPut(name="Bo", email="hand@acme.example"))
    assert followed(manual, update, AT) is manual
    placed = followed(None, changed(), AT)
    after = followed(placed, update, AT)
    assert after is not None
    assert (after.name, after.email) == ("Bo B.", "new@acme.example")


def test_identity_owned_fields_are_named_when_a_put_would_rewrite_them() -> None:
    placed = followed(None, changed(), AT)
    assert placed is not None
    same = PersonPut(name="Bo", email="bo@acme.example", language="fr", roles=("approver",))
    assert placed.owned_by_identity(same) == []
    other = same.model_copy(update={"email": "x@evil.example"})
    assert placed.owned_by_identity(other) == ["email"]
