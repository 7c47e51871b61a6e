"""Secrets sealed at rest: what opens them, rotation, and values written before sealing."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from ensemble_shared.sealing import PREFIX, SealBroken, Sealer, derived_key, valid_keys

SECRET = "a-service-secret-key-of-32-chars-at-least"


def test_a_sealed_value_is_ciphertext_that_the_same_key_opens() -> None:
    sealer = Sealer.of(SECRET)
    sealed = sealer.seal("whsec_plain")
    assert sealed.startswith(PREFIX)
    assert "whsec_plain" not in sealed
    assert sealer.open(sealed) == "whsec_plain"
    assert sealer.seal(sealed) == sealed  # never sealed twice
    assert sealer.seal("whsec_plain") != sealed  # Fernet is randomised: equal secrets differ


def test_a_value_written_before_sealing_reads_as_it_is_and_reseals() -> None:
    sealer = Sealer.of(SECRET)
    assert sealer.open("legacy-token") == "legacy-token"
    resealed = sealer.reseal("legacy-token")
    assert resealed.startswith(PREFIX)
    assert sealer.reseal(resealed) == resealed  # already under the first key: unchanged


def test_rotation_new_key_first_old_values_still_open_then_reseal_under_the_new() -> None:
    old = Sealer.of(SECRET)
    sealed_before = old.seal("token")
    new_key = Fernet.generate_key().decode()
    rotated = Sealer.of(SECRET, f"{new_key}")  # the derived key still opens
    assert rotated.open(sealed_before) == "token"
    resealed = rotated.reseal(sealed_before)
    assert resealed != sealed_before
    assert Sealer([new_key]).open(resealed) == "token"  # the new key alone opens it now
    with pytest.raises(SealBroken, match="SEALING_KEYS"):
        Sealer.of("another-service-secret-key-of-32-chars").open(sealed_before)


def test_fields_sealed_in_documents_keep_their_shape() -> None:
    sealer = Sealer.of(SECRET)
    document = {
        "name": "forum",
        "secrets": ["a", "b"],
        "signing": [{"value": "s1", "expires_at": None}],
        "access_token": None,
    }
    sealed = sealer.seal_fields(document, {"secrets", "signing", "access_token"})
    assert sealed["name"] == "forum"
    assert all(v.startswith(PREFIX) for v in sealed["secrets"])
    assert sealed["signing"][0]["expires_at"] is None
    assert sealed["access_token"] is None
    assert sealer.open_fields(sealed, {"secrets", "signing", "access_token"}) == document


def test_keys_that_are_not_fernet_keys_are_refused() -> None:
    assert valid_keys("") == ""
    assert valid_keys(derived_key(SECRET)) == derived_key(SECRET)
    with pytest.raises(ValueError, match="Fernet key"):
        valid_keys("not-a-key")
