"""A member's update writes only what it changes: FerretDB's conditional update is not atomic,
so a profile edit and a block can both pass the version check; neither undoes the other."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_feedback.models.members import Member, TrustLevel
from ensemble_feedback.storage.members import changed

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_profile_edit_and_a_block_read_from_one_version_write_disjoint_fields() -> None:
    read = Member(
        member_id="m1", workspace="acme", display_name="Ana", created_at=T0, updated_at=T0
    )
    block = read.model_copy(
        update={"trust": TrustLevel.BLOCKED, "trust_by": "maya", "version": read.version + 1}
    )
    edit = read.model_copy(update={"display_name": "Ana B.", "version": read.version + 1})
    blocked = changed(read, block)
    edited = changed(read, edit)
    assert set(blocked) == {"trust", "trust_by", "version"}
    assert set(edited) == {"display_name", "version"}
    # Applied in either order on the stored document, the block stays.
    stored = {"trust": "new", "display_name": "Ana"}
    assert {**stored, **blocked, **edited}["trust"] == {**stored, **edited, **blocked}["trust"]
    assert {**stored, **blocked, **edited}["trust"] == TrustLevel.BLOCKED.value


def test_an_email_change_writes_its_lookup_key_too() -> None:
    read = Member(
        member_id="m1", workspace="acme", display_name="Ana", created_at=T0, updated_at=T0
    )
    written = changed(read, read.model_copy(update={"email": "Ana@Example.org"}))
    assert written == {"email": "Ana@Example.org", "email_key": "ana@example.org"}
