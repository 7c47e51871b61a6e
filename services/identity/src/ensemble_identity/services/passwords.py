"""Passwords: argon2id hashes (argon2-cffi) and the policy a new password must pass.

Hashing costs tens of milliseconds of CPU by design, so it runs in a worker thread (the C
library releases the GIL) and never stalls the event loop. Unknown emails are checked against
a dummy hash, so a sign-in costs the same whether the account exists or not.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ensemble_shared.errors import Invalid

MAX_LENGTH = 1024
_KEYBOARD_RUNS = (
    "1234567890",
    "qwertyuiop",
    "azertyuiop",
    "asdfghjkl",
    "abcdefghijklmnopqrstuvwxyz",
)


def _common() -> frozenset[str]:
    text = files("ensemble_identity.services").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


COMMON = _common()


def policy_problem(password: str, *, min_length: int, email: str | None = None) -> str | None:
    """Why `password` is refused, or None when it is acceptable (NIST SP 800-63B: length and
    a blocklist, no composition rules)."""
    if len(password) < min_length:
        return f"the password needs at least {min_length} characters"
    if len(password) > MAX_LENGTH:
        return f"the password may have at most {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in COMMON:
        return "this password is too common"
    if len(set(lowered)) == 1 or any(
        lowered in run or lowered in run[::-1] for run in _KEYBOARD_RUNS
    ):
        return "this password is too easy to guess"
    if email and lowered in {email.lower(), email.split("@")[0].lower()}:
        return "the password may not be your email address"
    return None


class Passwords:
    def __init__(
        self, *, time_cost: int, memory_kib: int, parallelism: int, min_length: int
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self.min_length = min_length
        self._dummy = self._hasher.hash("dummy password for unknown accounts")

    def check_policy(self, password: str, *, email: str | None = None) -> None:
        problem = policy_problem(password, min_length=self.min_length, email=email)
        if problem:
            raise Invalid(problem)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """True when `password` matches; with no stored hash, the same work for False."""
        return await asyncio.to_thread(self._verify, stored, password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True when the stored hash used weaker parameters than today's."""
        return self._hasher.check_needs_rehash(stored)
