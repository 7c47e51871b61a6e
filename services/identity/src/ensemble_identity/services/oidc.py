"""Sign-in with an OpenID Connect provider: authorization code flow with PKCE and a nonce,
the state kept server-side (single use, expiring).

A provider identity signs in the account it was linked to before; otherwise, when the
provider vouches for the email (`email_verified`) and the provider allows it, the account with
that address, which then gets linked. Nobody gets an account this way: staff are invited.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from ensemble_identity.exceptions import Gone, Unavailable
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.oidc import OidcComplete, OidcStarted, ProviderView
from ensemble_identity.models.opaque import digest, new_secret
from ensemble_identity.models.sessions import SessionOpened
from ensemble_identity.oidc.client import (
    ProviderClient,
    ProviderIdentity,
    ProviderRefused,
    ProviderUnreachable,
)
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.storage import OidcRepository, SpentSecrets
from ensemble_shared.errors import Invalid, NotFound, Unauthenticated
from ensemble_shared.events import utcnow

NO_ACCOUNT = "no Ensemble account goes with this identity; ask an admin for an invitation"


class OidcSignIn:
    def __init__(
        self,
        providers: list[ProviderClient],
        repo: OidcRepository,
        spent: SpentSecrets,
        people: People,
        sessions: Sessions,
        audit: Audit,
        *,
        state_ttl: timedelta,
    ) -> None:
        self._providers = {p.settings.name: p for p in providers}
        self._repo = repo
        self._spent = spent
        self._people = people
        self._sessions = sessions
        self._audit = audit
        self._state_ttl = state_ttl

    def providers(self) -> list[ProviderView]:
        return [ProviderView(name=n, title=p.settings.title) for n, p in self._providers.items()]

    async def start(self, name: str) -> OidcStarted:
        provider = self._provider(name)
        state = new_secret("oidc")
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636 wants 43 to 128
        try:
            url = await provider.authorization_url(state=state, nonce=nonce, code_verifier=verifier)
        except ProviderUnreachable as exc:
            raise Unavailable(f"the identity provider cannot be reached: {exc}") from exc
        now = utcnow()
        await self._repo.save_state(
            digest(state),
            {
                "provider": name,
                "nonce": nonce,
                "code_verifier": verifier,
                "created_at": now,
                "expires_at": now + self._state_ttl,
            },
        )
        return OidcStarted(authorization_url=url, state=state)

    async def complete(self, body: OidcComplete, origin: Origin) -> SessionOpened:
        state_digest = digest(body.state)
        stored = await self._repo.state(state_digest)
        if stored is None:
            raise Invalid("this sign-in was not started here")
        if not await self._spent.spend(state_digest):
            raise Gone("this sign-in was already completed", reason="used")
        if stored["expires_at"] <= utcnow():
            raise Gone("this sign-in took too long; start again", reason="expired")
        provider = self._provider(stored["provider"])
        try:
            identity = await provider.identity(
                code=body.code, code_verifier=stored["code_verifier"], nonce=stored["nonce"]
            )
        except ProviderRefused as exc:
            raise Unauthenticated(str(exc)) from exc
        except ProviderUnreachable as exc:
            raise Unavailable(f"the identity provider cannot be reached: {exc}") from exc
        account_id = await self._account_for(provider, identity)
        account = await self._people.account(account_id) if account_id else None
        if account is None:
            raise Unauthenticated(NO_ACCOUNT)
        await self._audit.record(
            None,
            Actor.account(account.id),
            origin,
            "oidc.signed_in",
            account.id,
            provider=provider.settings.name,
        )
        return await self._sessions.open(account, "oidc", origin)

    async def _account_for(
        self, provider: ProviderClient, identity: ProviderIdentity
    ) -> str | None:
        name = provider.settings.name
        linked = await self._repo.linked(name, identity.subject)
        if linked is not None:
            return linked
        if not (provider.settings.link_by_email and identity.email and identity.email_verified):
            return None
        account = await self._people.by_email(identity.email)
        if account is None:
            return None
        await self._repo.link(name, identity.subject, account.id, identity.email)
        if not account.email_verified:
            await self._people.update(account, {"email_verified": True})
        return account.id

    async def purge(self) -> int:
        return await self._repo.purge(utcnow())

    def _provider(self, name: str) -> ProviderClient:
        provider = self._providers.get(name)
        if provider is None:
            raise NotFound(f"no identity provider {name!r}")
        return provider
