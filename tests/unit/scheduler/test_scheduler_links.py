"""Signed approval links: authentic, unaltered, unexpired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.policies import ExternalApprover, StepSpec
from ensemble_scheduler.services.feeds import FeedSigner
from ensemble_scheduler.services.links import LinkClaims, LinkSigner, link_id
from ensemble_shared.errors import Unauthenticated

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SECRET = "s" * 40


def claims(**over: object) -> LinkClaims:
    values: dict[str, object] = {
        "link_id": link_id("c1:a0001", "legal", 0, "counsel"),
        "workspace": "acme",
        "content_id": "c1",
        "approval_id": "c1:a0001",
        "step": "legal",
        "round": 0,
        "approver": "counsel",
        "expires": int((NOW + timedelta(hours=1)).timestamp()),
        **over,
    }
    return LinkClaims(**values)  # type: ignore[arg-type]


def test_a_signed_link_verifies_to_its_claims() -> None:
    signer = LinkSigner(SECRET)
    assert signer.verify(signer.sign(claims()), now=NOW) == claims()


def test_an_altered_payload_is_forged() -> None:
    signer = LinkSigner(SECRET)
    token = signer.sign(claims())
    other = signer.sign(claims(workspace="globex"))
    spliced = f"{other.rsplit('.', 1)[0]}.{token.rsplit('.', 1)[1]}"
    with pytest.raises(Unauthenticated):
        signer.verify(spliced, now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "abc.", ".abc", "a.b.c", "!!!.???"])
def test_garbage_is_forged(token: str) -> None:
    with pytest.raises(Unauthenticated):
        LinkSigner(SECRET).verify(token, now=NOW)


@pytest.mark.parametrize("token", ["é", "abc.é", "ünï.cödé.✓", "\ud800"])
def test_non_ascii_text_is_refused_like_any_forged_link(token: str) -> None:
    with pytest.raises(Unauthenticated, match="not valid"):
        LinkSigner(SECRET).verify(token, now=NOW)


def test_a_token_made_for_another_purpose_is_not_a_link() -> None:
    feed = FeedSigner(SECRET).sign("f-1", "acme", None, NOW + timedelta(hours=1))
    with pytest.raises(Unauthenticated):
        LinkSigner(SECRET).verify(feed, now=NOW)


def test_another_secret_does_not_verify() -> None:
    token = LinkSigner("t" * 40).sign(claims())
    with pytest.raises(Unauthenticated):
        LinkSigner(SECRET).verify(token, now=NOW)


def test_an_expired_link_says_so() -> None:
    signer = LinkSigner(SECRET)
    token = signer.sign(claims())
    with pytest.raises(Gone, match="expired"):
        signer.verify(token, now=NOW + timedelta(hours=2))


def test_links_differ_per_round_and_approver() -> None:
    assert link_id("a", "legal", 0, "x") != link_id("a", "legal", 1, "x")
    assert link_id("a", "legal", 0, "x") != link_id("a", "legal", 0, "y")


def test_a_link_decides_as_the_named_person_or_external_approver_it_was_made_for() -> None:
    step = StepSpec(
        name="legal",
        people=("lea",),
        teams=("legal",),
        external=(ExternalApprover(id="counsel", name="Outside Counsel"),),
    )
    lea = step.link_holder("person:lea")
    assert lea is not None
    assert (lea.approver, lea.covers) == ("user:lea", ("person:lea",))
    counsel = step.link_holder("counsel")
    assert counsel is not None
    assert (counsel.approver, counsel.name) == ("external:counsel", "Outside Counsel")
    # Nobody else: not a person the step does not name, not a team, not a bare person id.
    assert [step.link_holder(a) for a in ("person:max", "team:legal", "lea")] == [None] * 3
