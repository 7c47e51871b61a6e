"""Capability tokens: one purpose each, expiring, never accepted for another purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ensemble_shared.capabilities import (
    Capabilities,
    CapabilityExpired,
    CapabilityForged,
    CapabilityInvalid,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
SECRET = "s" * 40


def test_a_token_carries_its_claims_until_it_expires() -> None:
    links = Capabilities(SECRET, "approval-link")
    token = links.sign({"ws": "acme", "step": "legal"}, expires=NOW + timedelta(hours=1))
    assert links.verify(token, now=NOW) == {"ws": "acme", "step": "legal"}
    with pytest.raises(CapabilityExpired) as expired:
        links.verify(token, now=NOW + timedelta(hours=1))
    assert expired.value.expired_at == NOW + timedelta(hours=1)


def test_a_token_of_one_purpose_is_refused_for_another() -> None:
    token = Capabilities(SECRET, "calendar-feed").sign({"ws": "acme"}, expires=NOW + timedelta(1))
    with pytest.raises(CapabilityInvalid):
        Capabilities(SECRET, "unsubscribe").verify(token, now=NOW)


def test_another_secret_or_an_altered_token_is_refused() -> None:
    token = Capabilities(SECRET, "feed").sign({"ws": "acme"}, expires=NOW + timedelta(days=1))
    with pytest.raises(CapabilityInvalid):
        Capabilities("t" * 40, "feed").verify(token, now=NOW)
    head, payload, mac = token.split(".")
    with pytest.raises(CapabilityInvalid):
        Capabilities(SECRET, "feed").verify(f"{head}.{payload}x.{mac}", now=NOW)


def test_claims_may_not_override_the_reserved_ones() -> None:
    with pytest.raises(ValueError, match="exp"):
        Capabilities(SECRET, "feed").sign({"exp": 1}, expires=NOW)


@given(st.text(max_size=300))
def test_any_string_is_refused_cleanly(text: str) -> None:
    with pytest.raises(CapabilityInvalid):
        Capabilities(SECRET, "feed").verify(text, now=NOW)


def test_a_forged_signature_is_told_apart_from_garbage() -> None:
    token = Capabilities(SECRET, "feed").sign({"ws": "acme"}, expires=NOW + timedelta(days=1))
    with pytest.raises(CapabilityForged):
        Capabilities("t" * 40, "feed").verify(token, now=NOW)
    with pytest.raises(CapabilityForged):
        Capabilities(SECRET, "unsubscribe").verify(token, now=NOW)
    with pytest.raises(CapabilityInvalid) as garbage:
        Capabilities(SECRET, "feed").verify("not a token", now=NOW)
    assert not isinstance(garbage.value, CapabilityForged)


def test_a_token_without_expiry_lasts_until_its_service_revokes_it() -> None:
    links = Capabilities(SECRET, "unsubscribe")
    token = links.sign({"sub": "m-1"}, expires=None)
    assert links.verify(token, now=NOW + timedelta(days=365 * 30)) == {"sub": "m-1"}
