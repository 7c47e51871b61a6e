"""Access tokens: short-lived EdDSA JWTs naming one workspace, its roles and teams.

The claims are the contract every service verifies with `ensemble_shared.keys`. They are
minted only here: for a person's place in a workspace (from a session) and for an API key
(client credentials). Nothing in a token is looked up again by the services, so roles change
for a person within one token lifetime (IDENTITY_ACCESS_TOKEN_SECONDS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ensemble_identity.models.accounts import Account
from ensemble_identity.models.api_keys import ApiKey
from ensemble_identity.models.memberships import Membership
from ensemble_identity.models.sessions import AccessToken, Session
from ensemble_identity.services.keyring import Keyring
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.keys import AccessClaims, verify_with


class AccessTokens:
    def __init__(
        self,
        keyring: Keyring,
        *,
        issuer: str,
        audience: str,
        lifetime: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._keyring = keyring
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self._clock = clock

    async def for_place(
        self, account: Account, membership: Membership, session: Session
    ) -> AccessToken:
        return await self._mint(
            {
                "sub": account.id,
                "ws": membership.workspace,
                "kind": membership.kind,
                "roles": list(membership.roles),
                "teams": list(membership.teams),
                "email": account.email,
                "email_verified": account.email_verified,
                "name": account.name,
                "locale": account.locale,
                "sid": session.id,
            }
        )

    async def for_api_key(self, key: ApiKey, roles: tuple[str, ...]) -> AccessToken:
        return await self._mint(
            {
                "sub": key.id,
                "ws": key.workspace,
                "kind": "api_key",
                "roles": list(roles),
                "teams": [],
                "name": key.name,
                "client_id": key.id,
            }
        )

    def verify(self, token: str) -> AccessClaims:
        """Identity's own tokens, checked like any service checks them (no HTTP round trip)."""
        return verify_with(
            token, self._keyring.verification_keys(), issuer=self.issuer, audience=self.audience
        )

    async def _mint(self, claims: dict[str, Any]) -> AccessToken:
        now = self._clock()
        token = await self._keyring.sign_fresh(
            {
                **claims,
                "iss": self.issuer,
                "aud": self.audience,
                "iat": int(now.timestamp()),
                "exp": int((now + self.lifetime).timestamp()),
                "jti": new_id(),
            }
        )
        return AccessToken(
            access_token=token,
            expires_in=int(self.lifetime.total_seconds()),
            scope=" ".join(claims["roles"]) or None,
        )
