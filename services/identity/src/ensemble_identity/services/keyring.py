"""The signing keys of every access token: created, rotated, published, encrypted at rest.

Every replica keeps the keys in memory and rereads them every `refresh` seconds; when the
schedule (`models.keys`) says a new generation is due, each replica tries to insert it under
the next generation number and exactly one succeeds, the others adopt it on reload. Private
keys are stored as Fernet tokens under IDENTITY_KEY_ENCRYPTION_KEY (a MultiFernet: the first
key encrypts, every listed key decrypts, so the encryption key itself can be rotated).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ensemble_identity.models.keys import Schedule, SigningKey, next_start, published, signer
from ensemble_identity.storage import KeyRepository
from ensemble_shared.events import utcnow
from ensemble_shared.keys import ALGORITHM, TOKEN_TYPE, key_set
from ensemble_shared.runtime import repeat

log = logging.getLogger(__name__)


def cipher(keys: str) -> MultiFernet:
    """The comma-separated Fernet keys of IDENTITY_KEY_ENCRYPTION_KEY; ValueError if malformed."""
    fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
    if not fernets:
        raise ValueError("IDENTITY_KEY_ENCRYPTION_KEY holds no key")
    return MultiFernet(fernets)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(private: Ed25519PrivateKey) -> dict[str, str]:
    """The public half as a JWK; its `kid` is the RFC 7638 thumbprint."""
    x = _b64(private.public_key().public_bytes_raw())
    thumbprint = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    kid = _b64(hashlib.sha256(thumbprint.encode()).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "use": "sig", "alg": ALGORITHM}


class NoSigningKey(RuntimeError):
    """No key may sign now (the store could not be reached to create one)."""


class Keyring:
    def __init__(
        self,
        keys: KeyRepository,
        fernet: MultiFernet,
        schedule: Schedule,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._repo = keys
        self._fernet = fernet
        self.schedule = schedule
        self._clock = clock
        self._keys: list[SigningKey] = []
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Reread the keys, then create the next generation if the schedule says so."""
        async with self._lock:
            await self._load()
            start = next_start(self._keys, self._clock(), self.schedule)
            if start is not None:
                await self._create(start)

    async def rotate_now(self, *, immediately: bool = False) -> SigningKey:
        """A new generation now (operator command): published at once, signing after the
        publish-ahead delay, or at once with `immediately`."""
        async with self._lock:
            await self._load()
            now = self._clock()
            return await self._create(now if immediately else now + self.schedule.ahead)

    async def revoke(self, kid: str) -> bool:
        """Unpublish a compromised key at once; the next refresh makes a new signer."""
        revoked = await self._repo.revoke(kid, self._clock())
        await self.refresh()
        return revoked

    async def reencrypt(self) -> int:
        """Rewrite every private key under the first encryption key; returns how many."""
        keys = await self._repo.all()
        for key in keys:
            rotated = self._fernet.rotate(key.private_key.encode()).decode()
            await self._repo.replace_private(key.kid, rotated)
        return len(keys)

    def sign(self, claims: dict[str, Any]) -> str:
        key = signer(self._keys, self._clock(), self.schedule)
        if key is None:
            raise NoSigningKey("no signing key is ready")
        return jwt.encode(
            claims,
            self._private_key(key),
            algorithm=ALGORITHM,
            headers={"kid": key.kid, "typ": TOKEN_TYPE},
        )

    async def sign_fresh(self, claims: dict[str, Any]) -> str:
        """`sign`, refreshing first when no key may sign (first start, a revocation)."""
        if signer(self._keys, self._clock(), self.schedule) is None:
            await self.refresh()
        return self.sign(claims)

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [k.public_jwk for k in published(self._keys, self._clock(), self.schedule)]}

    def verification_keys(self) -> dict[str, jwt.PyJWK]:
        """The published keys, to verify identity's own tokens without a round trip."""
        return key_set(self.jwks())

    async def run(self, every: float) -> None:
        await repeat(self.refresh, every=every, what="signing key refresh")

    async def _load(self) -> None:
        self._keys = await self._repo.all()

    def _private_key(self, key: SigningKey) -> Ed25519PrivateKey:
        private = self._private.get(key.kid)
        if private is None:
            raw = self._fernet.decrypt(key.private_key.encode())
            private = Ed25519PrivateKey.from_private_bytes(raw)
            self._private[key.kid] = private
        return private

    async def _create(self, signs_from: datetime) -> SigningKey:
        private = Ed25519PrivateKey.generate()
        jwk = public_jwk(private)
        generation = max((k.generation for k in self._keys), default=0) + 1
        key = SigningKey(
            kid=jwk["kid"],
            generation=generation,
            created_at=self._clock(),
            signs_from=signs_from,
            public_jwk=jwk,
            private_key=self._fernet.encrypt(private.private_bytes_raw()).decode(),
        )
        if await self._repo.insert(key):
            log.info("signing key %d (%s) signs from %s", generation, key.kid, signs_from)
            self._private[key.kid] = private
        await self._load()  # ours, or the one another replica created first
        return next(k for k in self._keys if k.generation == generation)
