"""Approvers in the policy form: shown and typed by email, sent to scheduler as account ids."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_console.models.identity import Member
from ensemble_console.web.policy_form import people_as_emails, people_as_ids


def member(account_id: str, email: str) -> Member:
    return Member(
        account_id=account_id,
        email=email,
        email_verified=True,
        name=email.split("@")[0],
        locale="en",
        kind="staff",
        roles=("approver",),
        teams=(),
        joined_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


MEMBERS = (member("acc_elise", "elise@acme.example"), member("acc_bo", "Bo@Acme.example"))


def test_typed_emails_become_account_ids_and_ids_stay() -> None:
    form = {
        "steps.0.name": "legal",
        "steps.0.people": "ELISE@acme.example, acc_bo",
        "steps.0.backup.people": "bo@acme.example",
        "steps.0.teams": "legal",
    }
    sent, unknown = people_as_ids(form, MEMBERS)
    assert unknown == {}
    assert (sent["steps.0.people"], sent["steps.0.backup.people"]) == (
        "acc_elise, acc_bo",
        "acc_bo",
    )
    assert sent["steps.0.teams"] == "legal"


def test_an_email_no_member_has_is_named_on_its_field() -> None:
    form = {"steps.0.name": "a", "steps.1.name": "b", "steps.1.people": "x@else.example, acc_bo"}
    _, unknown = people_as_ids(form, MEMBERS)
    assert unknown == {"steps.1.people": ["x@else.example"]}


def test_the_form_shows_members_by_email_and_former_members_by_id() -> None:
    shown = people_as_emails(
        {"steps.0.name": "a", "steps.0.people": "acc_elise, acc_gone"}, MEMBERS
    )
    assert shown["steps.0.people"] == "elise@acme.example, acc_gone"
