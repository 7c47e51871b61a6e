"""One OpenID Connect provider, seen from identity: discovery, the authorization URL (code
flow with PKCE S256 and a nonce), and the code exchanged for a verified ID token.

Authlib builds the requests; the ID token is verified with joserfc against the provider's
JWKS (fetched again once when a token names an unknown key: providers rotate too), then its
claims with Authlib's `CodeIDToken` rules: issuer, audience, expiry, nonce, at_hash.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ensemble_identity.config import OidcProviderSettings

METADATA_SECONDS = 3600.0
LEEWAY_SECONDS = 60


class ProviderUnreachable(Exception):
    """The provider did not answer (or not with JSON)."""


class ProviderRefused(Exception):
    """The provider refused the code, or its ID token did not verify."""


@dataclass(frozen=True)
class ProviderIdentity:
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    locale: str | None


class ProviderClient:
    def __init__(self, settings: OidcProviderSettings, redirect_uri: str) -> None:
        self.settings = settings
        self._redirect_uri = redirect_uri
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._jwks: dict[str, Any] | None = None

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret.get_secret_value(),
            scope=self.settings.scopes,
            redirect_uri=self._redirect_uri,
            code_challenge_method="S256",
            timeout=10.0,
        )

    async def metadata(self) -> dict[str, Any]:
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_SECONDS:
            url = self.settings.issuer.rstrip("/") + "/.well-known/openid-configuration"
            self._metadata = await self._get_json(url)
            self._metadata_at = time.monotonic()
            self._jwks = None
        return self._metadata

    async def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        metadata = await self.metadata()
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=state,
                nonce=nonce,
                code_verifier=code_verifier,
            )
        return str(url)

    async def identity(self, *, code: str, code_verifier: str, nonce: str) -> ProviderIdentity:
        metadata = await self.metadata()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                )
        except AuthlibBaseError as exc:
            raise ProviderRefused(f"the provider refused the code: {exc.error}") from exc
        except httpx.HTTPError as exc:
            raise ProviderUnreachable(f"the provider's token endpoint failed: {exc!r}") from exc
        if "id_token" not in token:
            raise ProviderRefused("the provider sent no ID token")
        claims = await self._verified_claims(token, nonce, metadata)
        return ProviderIdentity(
            subject=str(claims["sub"]),
            email=str(claims["email"]).strip().lower() if claims.get("email") else None,
            email_verified=claims.get("email_verified") is True,
            name=str(claims["name"]) if claims.get("name") else None,
            locale=str(claims["locale"]) if claims.get("locale") else None,
        )

    async def _verified_claims(
        self, token: dict[str, Any], nonce: str, metadata: dict[str, Any]
    ) -> dict[str, Any]:
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"])
        try:
            try:
                decoded = jwt.decode(token["id_token"], await self._keys(), registry=registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(
                    token["id_token"], await self._keys(force=True), registry=registry
                )
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {"iss": {"essential": True, "values": [metadata["issuer"]]}},
                {
                    "nonce": nonce,
                    "client_id": self.settings.client_id,
                    "access_token": token.get("access_token"),
                },
            )
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            raise ProviderRefused(f"the ID token did not verify: {exc}") from exc
        return dict(claims)

    async def _keys(self, *, force: bool = False) -> KeySet:
        metadata = await self.metadata()
        if self._jwks is None or force:
            self._jwks = await self._get_json(metadata["jwks_uri"])
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=10.0) as http:
                response = await http.get(url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnreachable(f"{url}: {exc!r}") from exc
        if not isinstance(document, dict):
            raise ProviderUnreachable(f"{url}: not a JSON object")
        return document
