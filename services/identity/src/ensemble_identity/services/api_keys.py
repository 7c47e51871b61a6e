"""API keys for integrators and scripts, and their exchange for access tokens.

A key is created by a person for a workspace, with roles they hold (an admin may give any
staff role); its secret is shown once and stored as a digest. At each exchange the key gets
the roles its creator *still* covers: a key does not outlive its creator's place, and a
demoted creator's keys lose what the creator lost. Keys made by the operator's command have
no creator to follow. Last use is written at most once a minute per key.
"""

from __future__ import annotations

from datetime import timedelta

from ensemble_identity.exceptions import OAuthError
from ensemble_identity.models.api_keys import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyView
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.opaque import digest, new_secret, same_digest, short_id
from ensemble_identity.models.roles import covers, granted
from ensemble_identity.models.sessions import AccessToken
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.people import People
from ensemble_identity.services.throttle import Throttle
from ensemble_identity.services.tokens import AccessTokens
from ensemble_identity.storage import ApiKeyRepository
from ensemble_shared.errors import Forbidden, Invalid, NotFound
from ensemble_shared.events import utcnow

TOUCH_EVERY = timedelta(minutes=1)
_DUMMY_DIGEST = digest("no such key")
BAD_CLIENT = "the client id or secret is not right"


class ApiKeys:
    def __init__(
        self,
        keys: ApiKeyRepository,
        people: People,
        tokens: AccessTokens,
        throttle: Throttle,
        audit: Audit,
    ) -> None:
        self._keys = keys
        self._people = people
        self._tokens = tokens
        self._throttle = throttle
        self._audit = audit

    async def create(
        self, workspace: str, body: ApiKeyCreate, actor: Actor, origin: Origin
    ) -> ApiKeyCreated:
        if actor.kind == "api_key":
            raise Forbidden("API keys are created by people, not by other keys")
        if not covers(actor.roles, body.roles):
            raise Forbidden("a key may only hold roles you hold")
        if body.expires_at is not None and body.expires_at <= utcnow():
            raise Invalid("expires_at is in the past")
        secret = new_secret("api_key")
        key = ApiKey(
            id=f"key_{short_id()}",
            workspace=workspace,
            name=body.name,
            roles=tuple(body.roles),
            secret_digest=digest(secret),
            created_by=actor.id,
            expires_at=body.expires_at,
        )
        await self._keys.insert(key)
        await self._audit.record(
            workspace,
            actor,
            origin,
            "api_key.created",
            key.id,
            name=key.name,
            roles=list(key.roles),
        )
        return ApiKeyCreated(
            **ApiKeyView.of(key).model_dump(), client_id=key.id, client_secret=secret
        )

    async def visible(self, workspace: str, actor: Actor) -> list[ApiKeyView]:
        """Admins see every key of the workspace; others the keys they created."""
        keys = await self._keys.in_workspace(workspace)
        return [ApiKeyView.of(k) for k in keys if actor.is_admin or k.created_by == actor.id]

    async def revoke(self, workspace: str, key_id: str, actor: Actor, origin: Origin) -> None:
        key = await self._keys.get(key_id)
        if key is None or key.workspace != workspace:
            raise NotFound("no such API key")
        if not actor.is_admin and key.created_by != actor.id:
            raise NotFound("no such API key")
        if key.revoked_at is None:
            await self._keys.revoke(key.id, utcnow())
            await self._audit.record(
                workspace, actor, origin, "api_key.revoked", key.id, name=key.name
            )

    async def exchange(
        self, client_id: str, client_secret: str, scope: str | None, origin: Origin
    ) -> AccessToken:
        """RFC 6749 §4.4: the key's credentials for an access token of its workspace."""
        await self._throttle.attempt(origin.ip)
        key = await self._keys.get(client_id) if client_id.startswith("key_") else None
        authentic = same_digest(client_secret, key.secret_digest if key else _DUMMY_DIGEST)
        now = utcnow()
        if key is None or not authentic or not key.usable(now):
            raise OAuthError("invalid_client", BAD_CLIENT, status=401)
        roles = await self._roles_now(key)
        if not roles:
            raise OAuthError("invalid_client", "this key no longer grants any role", status=401)
        if scope is not None:
            asked = set(scope.split())
            if not asked or not asked <= set(roles):
                raise OAuthError("invalid_scope", f"this key grants at most: {' '.join(roles)}")
            roles = tuple(sorted(asked))
        if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
            await self._keys.touch(key.id, now)
        return await self._tokens.for_api_key(key, roles)

    async def _roles_now(self, key: ApiKey) -> tuple[str, ...]:
        if key.created_by == "operator":
            return key.roles
        place = await self._people.memberships.get(key.workspace, key.created_by)
        return granted(place.roles, key.roles) if place else ()
