"""The signing-key schedule: who signs, what is published, when to rotate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ensemble_identity.models.keys import (
    Schedule,
    SigningKey,
    next_start,
    published,
    retires_at,
    signer,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
S = Schedule(
    rotation=timedelta(days=30),
    ahead=timedelta(minutes=10),
    token_lifetime=timedelta(minutes=10),
    leeway=timedelta(minutes=1),
)


def key(generation: int, signs_from: datetime, revoked: bool = False) -> SigningKey:
    return SigningKey(
        kid=f"k{generation}",
        generation=generation,
        created_at=signs_from - S.ahead,
        signs_from=signs_from,
        revoked_at=signs_from if revoked else None,
        public_jwk={},
        private_key="",
    )


def test_the_first_key_is_needed_at_once() -> None:
    assert next_start([], T0, S) == T0


def test_a_new_key_is_published_ahead_of_the_rotation_date_and_signs_on_it() -> None:
    first = key(1, T0)
    rotation = T0 + S.rotation
    assert next_start([first], rotation - S.ahead - timedelta(seconds=1), S) is None
    assert next_start([first], rotation - S.ahead, S) == rotation
    second = key(2, rotation)
    keys = [first, second]
    before = rotation - timedelta(minutes=5)
    assert [k.kid for k in published(keys, before, S)] == ["k2", "k1"]
    assert signer(keys, before, S) == first  # published, not signing yet
    assert signer(keys, rotation, S) == second
    assert next_start(keys, before, S) is None  # already scheduled


def test_the_old_key_stays_published_until_its_last_token_expired() -> None:
    first, second = key(1, T0), key(2, T0 + S.rotation)
    keys = [first, second]
    retired = retires_at(first, keys, S)
    assert retired == T0 + S.rotation + S.token_lifetime + S.leeway
    assert [k.kid for k in published(keys, retired - timedelta(seconds=1), S)] == ["k2", "k1"]
    assert [k.kid for k in published(keys, retired, S)] == ["k2"]
    assert retires_at(second, keys, S) is None


def test_after_a_long_outage_the_next_key_is_still_published_ahead() -> None:
    first = key(1, T0)
    woke = T0 + S.rotation * 3
    assert next_start([first], woke, S) == woke + S.ahead


def test_a_revoked_key_neither_signs_nor_is_published_and_a_key_is_needed_at_once() -> None:
    first, second = key(1, T0), key(2, T0 + timedelta(days=1), revoked=True)
    now = T0 + timedelta(days=2)
    assert [k.kid for k in published([first, second], now, S)] == []  # k1 retired, k2 revoked
    assert signer([first, second], now, S) is None
    assert next_start([first, second], now, S) == now
