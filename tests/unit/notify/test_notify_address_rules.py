"""Who may change a person's addresses, what counts as a change, and what an entry stored
before addresses had to be proven keeps in use."""

from __future__ import annotations

from datetime import timedelta

from ensemble_notify.models.people import PendingAddress, Person
from ensemble_notify.services.people import changed, may_change_addresses
from ensemble_shared.auth import Principal, Role
from ensemble_shared.events import utcnow


def principal(subject: str, *roles: Role) -> Principal:
    return Principal(subject=subject, workspace="acme", roles=frozenset(roles))


def test_only_the_person_or_an_admin_changes_addresses() -> None:
    assert may_change_addresses(principal("camille", Role.APPROVER), "camille")
    assert may_change_addresses(principal("ada", Role.ADMIN), "camille")
    assert not may_change_addresses(principal("max", Role.MANAGER), "camille")
    assert not may_change_addresses(principal("lea", Role.APPROVER), "camille")


def test_an_address_in_use_or_pending_is_no_change_and_none_removes_only_what_is_in_use() -> None:
    now = utcnow()
    waiting = PendingAddress(
        channel="slack",
        address="https://hooks.example.org/new",
        verification="v1",
        requested_by="camille",
        expires_at=now + timedelta(days=2),
    )
    person = Person(
        id="camille", workspace="acme", name="C", email="c@acme.example", pending=(waiting,)
    )
    assert changed(person, {"email": "c@acme.example", "slack": waiting.address}) == {}
    assert changed(person, {"slack": None, "teams": None}) == {}
    assert changed(person, {"email": None}) == {"email": None}
    assert changed(person, {"slack": "https://hooks.example.org/other"}) == {
        "slack": "https://hooks.example.org/other"
    }
    assert changed(None, {"email": "x@acme.example", "teams": None}) == {"email": "x@acme.example"}


def test_an_entry_stored_before_proofs_keeps_only_identitys_verified_email() -> None:
    old = {
        "id": "bo",
        "workspace": "acme",
        "name": "Bo",
        "email": "bo@acme.example",
        "slack_webhook_url": "https://hooks.example.org/bo",
        "teams_webhook_url": "https://teams.example.org/bo",
    }
    manual = Person.stored(old)
    assert (manual.email, manual.slack_webhook_url, manual.teams_webhook_url) == (None, None, None)
    followed = Person.stored({**old, "origin": "identity"})
    assert (followed.email, followed.slack_webhook_url) == ("bo@acme.example", None)
    current = Person.stored({**old, "pending": []})  # written since: its addresses are proven
    assert current.slack_webhook_url == "https://hooks.example.org/bo"
