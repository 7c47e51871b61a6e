"""A member profile after one of identity's events (pure fold)."""

from __future__ import annotations

from datetime import timedelta

from ensemble_feedback.models.members import Member
from ensemble_feedback.services.accounts import followed
from ensemble_feedback.services.personal_data import erased
from ensemble_shared.events import (
    AccountData,
    AccountUpdatedV1,
    utcnow,
)
from support.account_events import a_removal

NOW = utcnow()


def a_member() -> Member:
    return Member(
        member_id="a-1",
        workspace="acme",
        display_name="Mimi",
        consents=("status_changes",),
        created_at=NOW,
        updated_at=NOW,
    )


def renamed(name: str, *, at: timedelta = timedelta()) -> AccountUpdatedV1:
    return AccountUpdatedV1(
        source="ensemble/identity",
        subject="a-1",
        workspace="acme",
        time=NOW + at,
        data=AccountData(
            account_id="a-1", email="mia@fans.example", email_verified=True, display_name=name
        ),
    )


def test_an_account_update_sets_name_and_verified_address() -> None:
    after = followed(a_member(), renamed("Mia"))
    assert after is not None
    assert (after.display_name, after.email, after.email_verified) == (
        "Mia",
        "mia@fans.example",
        True,
    )
    assert after.identity_as_of == NOW


def test_an_older_or_repeated_event_changes_nothing() -> None:
    newer = followed(a_member(), renamed("Mia R.", at=timedelta(seconds=5)))
    assert newer is not None
    assert followed(newer, renamed("Mia Rossi")) is None
    assert followed(newer, renamed("Mia R.", at=timedelta(seconds=5))) is None


def test_a_removal_marks_the_profile_gone_and_withdraws_consents() -> None:
    removed = a_removal()
    after = followed(a_member(), removed)
    assert after is not None
    assert (after.left_at, after.consents) == (removed.time, ())


def test_an_erased_profile_is_not_brought_back_by_identity() -> None:
    gone = erased(a_member().model_copy(update={"email": "mia@fans.example"}), NOW)
    assert (gone.display_name, gone.email, gone.consents) == ("Former member", None, ())
    assert gone.erased_at == NOW
    assert gone.left_at == NOW
    assert followed(gone, renamed("Mia", at=timedelta(seconds=5))) is None
