"""Opaque secrets (sessions, one-time links, API keys): random, prefixed, stored as digests.

A prefix per kind (`ens_s_` session, `ens_i_` invitation, ...) lets secret scanners and people
recognise a leaked one. Only the SHA-256 digest is stored: the secrets carry 256 random bits,
so a slow hash would add nothing, and a read of the database yields nothing usable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Literal

Kind = Literal["session", "invitation", "reset", "magic", "verify", "api_key", "oidc"]

PREFIXES: dict[Kind, str] = {
    "session": "ens_s_",
    "invitation": "ens_i_",
    "reset": "ens_r_",
    "magic": "ens_m_",
    "verify": "ens_v_",
    "api_key": "ens_k_",
    "oidc": "ens_o_",
}


def new_secret(kind: Kind) -> str:
    return PREFIXES[kind] + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_digest(secret: str, expected: str) -> bool:
    """Constant-time comparison of `secret`'s digest with a stored one."""
    return hmac.compare_digest(digest(secret), expected)


def kind_of_secret(secret: str) -> Kind | None:
    for kind, prefix in PREFIXES.items():
        if secret.startswith(prefix):
            return kind
    return None


def short_id() -> str:
    """A public id for a stored secret (listing, revoking) that reveals nothing of it."""
    return secrets.token_hex(8)
