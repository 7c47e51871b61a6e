"""A stand-in for identity in tests and benchmarks: an Ed25519 key made once per process that
signs access tokens with exactly identity's header and claims (see services/identity/README.md,
"Access tokens"), and publishes its public key as a JWKS document the services are given
(ENSEMBLE_AUTH_JWKS). The services verify these tokens the way they verify identity's."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ensemble_shared.auth import Role
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.settings import AuthSettings

ISSUER = "ensemble/identity"
AUDIENCE = "ensemble"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class LocalIssuer:
    """Signs identity-shaped access tokens with a key only this process holds."""

    def __init__(self, *, issuer: str = ISSUER, audience: str = AUDIENCE) -> None:
        self._key = Ed25519PrivateKey.generate()
        self.issuer = issuer
        self.audience = audience
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._public = {"crv": "Ed25519", "kty": "OKP", "x": _b64(public)}
        thumbprint = json.dumps(self._public, separators=(",", ":"), sort_keys=True)
        self.kid = _b64(hashlib.sha256(thumbprint.encode()).digest())  # RFC 7638, as identity

    def jwks(self) -> dict[str, Any]:
        return {"keys": [{**self._public, "kid": self.kid, "use": "sig", "alg": "EdDSA"}]}

    def jwks_json(self) -> str:
        return json.dumps(self.jwks())

    def settings(self, **overrides: Any) -> AuthSettings:
        """A service's auth settings that trust this issuer (and nothing else, unless told)."""
        return AuthSettings(
            jwks=self.jwks(), issuer=self.issuer, audience=self.audience, **overrides
        )

    def token(
        self,
        workspace: str,
        *roles: Role | str,
        subject: str = "alice",
        teams: Iterable[str] = (),
        ttl: timedelta = timedelta(minutes=10),
        **claims: Any,
    ) -> str:
        """An access token as identity mints it: `kind` is `member` for a member, else `staff`
        (pass `kind="api_key"` for a key); any claim may be overridden (tests of bad tokens)."""
        names = sorted({str(role) for role in roles})
        now = utcnow()
        payload: dict[str, Any] = {
            "sub": subject,
            "ws": workspace,
            "kind": "member" if names == [Role.MEMBER] else "staff",
            "roles": names,
            "teams": sorted(set(teams)),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
            "jti": new_id(),
            **claims,
        }
        headers = {"kid": self.kid, "typ": "at+jwt"}
        return jwt.encode(payload, self._key, algorithm="EdDSA", headers=headers)

    def bearer(self, workspace: str, *roles: Role | str, **options: Any) -> dict[str, str]:
        """Request headers carrying `token(...)`."""
        return {"authorization": f"Bearer {self.token(workspace, *roles, **options)}"}
