"""Role sets and what one may hand out (to an API key)."""

from __future__ import annotations

import pytest

from ensemble_identity.models.roles import covers, granted, kind_of, role_set


def test_role_sets_are_sorted_unique_and_never_mix_sides() -> None:
    assert role_set(["manager", "approver", "manager"]) == ("approver", "manager")
    assert role_set(["member"]) == ("member",)
    with pytest.raises(ValueError, match="cannot be combined"):
        role_set(["member", "viewer"])
    with pytest.raises(ValueError, match="at least one"):
        role_set([])


def test_kinds() -> None:
    assert kind_of(["member"]) == "member"
    assert kind_of(["viewer"]) == "staff"


def test_an_admin_covers_every_staff_role_others_only_their_own() -> None:
    assert covers(["admin"], ["manager", "viewer", "admin"])
    assert not covers(["admin"], ["member"])
    assert covers(["manager", "approver"], ["approver"])
    assert not covers(["manager"], ["admin"])


def test_granted_keeps_what_the_holder_still_covers() -> None:
    assert granted(["approver"], ["manager", "approver"]) == ("approver",)
    assert granted(["admin"], ["manager", "approver"]) == ("approver", "manager")
    assert granted([], ["viewer"]) == ()
