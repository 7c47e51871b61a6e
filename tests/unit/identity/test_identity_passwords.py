"""The password policy (length and a blocklist, per NIST SP 800-63B) and argon2id hashing."""

from __future__ import annotations

import pytest

from ensemble_identity.services.passwords import Passwords, policy_problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-one", "at least 12"),
        ("password1234", "too common"),
        ("Password1234", "too common"),
        ("aaaaaaaaaaaaaaa", "too easy"),
        ("1234567890", "at least 12"),
        ("abcdefghijklmnop", "too easy"),
        ("ana@acme.example", "email"),
        ("x" * 1025, "at most"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    found = policy_problem(password, min_length=12, email="ana@acme.example")
    assert found is not None
    assert problem in found


def test_a_long_uncommon_passphrase_passes() -> None:
    assert policy_problem("plum orchard velvet 42", min_length=12) is None


async def test_hashes_are_argon2id_and_verify_only_the_right_password() -> None:
    passwords = Passwords(time_cost=1, memory_kib=8192, parallelism=1, min_length=12)
    stored = await passwords.hash("plum orchard velvet 42")
    assert stored.startswith("$argon2id$v=19$m=8192,t=1,p=1$")
    assert await passwords.verify(stored, "plum orchard velvet 42")
    assert not await passwords.verify(stored, "plum orchard velvet 43")
    assert not await passwords.verify(None, "plum orchard velvet 42")  # dummy work, then no
    assert not await passwords.verify("not a hash", "plum orchard velvet 42")
    stronger = Passwords(time_cost=2, memory_kib=8192, parallelism=1, min_length=12)
    assert stronger.needs_rehash(stored)
