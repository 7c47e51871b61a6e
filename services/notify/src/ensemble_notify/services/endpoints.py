"""Workspace endpoints: create, change filters, rotate signing secrets."""

from __future__ import annotations

from datetime import timedelta

from ensemble_notify.exceptions import EndpointNotFound
from ensemble_notify.models.endpoints import (
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    SecretRotation,
    SigningSecret,
)
from ensemble_notify.storage import EndpointRepository
from ensemble_shared.errors import Conflict, Invalid
from ensemble_shared.events import utcnow
from ensemble_shared.outbound import require_callable
from ensemble_shared.settings import OutboundSettings
from ensemble_shared.signatures import new_secret


class EndpointService:
    def __init__(self, endpoints: EndpointRepository, outbound: OutboundSettings) -> None:
        self._endpoints = endpoints
        self._outbound = outbound

    async def create(self, workspace: str, request: EndpointCreate) -> tuple[Endpoint, str | None]:
        """A webhook endpoint gets its first secret (returned once); chat webhooks need none:
        their URL is the credential."""
        await require_callable(str(request.url), self._outbound, field="url")
        secret = new_secret() if request.kind == "webhook" else None
        endpoint = Endpoint(
            workspace=workspace,
            url=str(request.url),
            kind=request.kind,
            events=request.events,
            language=request.language,
            description=request.description,
            secrets=[SigningSecret(value=secret)] if secret else [],
        )
        await self._endpoints.add(endpoint)
        return endpoint, secret

    async def list(self, workspace: str, *, limit: int) -> list[Endpoint]:
        return await self._endpoints.in_workspace(workspace, limit=limit)

    async def get(self, workspace: str, endpoint_id: str) -> Endpoint:
        endpoint = await self._endpoints.get(workspace, endpoint_id)
        if endpoint is None:
            raise EndpointNotFound(endpoint_id)
        return endpoint

    async def update(self, workspace: str, endpoint_id: str, request: EndpointUpdate) -> Endpoint:
        endpoint = await self.get(workspace, endpoint_id)
        changes = request.model_dump(exclude_unset=True, exclude_none=True)
        changed = endpoint.model_copy(update={**changes, "version": endpoint.version + 1})
        await self._save(changed, endpoint)
        return changed

    async def rotate(
        self, workspace: str, endpoint_id: str, request: SecretRotation
    ) -> tuple[Endpoint, str]:
        """A new secret signs from now on; the current ones keep signing beside it until the
        grace ends, so receivers can switch without missing or refusing a delivery."""
        endpoint = await self.get(workspace, endpoint_id)
        if endpoint.kind != "webhook":
            raise Invalid(f"a {endpoint.kind} endpoint has no signing secrets")
        secret = new_secret()
        rotated = endpoint.rotated(
            SigningSecret(value=secret),
            grace=timedelta(seconds=request.expire_old_after_seconds),
            now=utcnow(),
        )
        await self._save(rotated, endpoint)
        return rotated, secret

    async def _save(self, endpoint: Endpoint, previous: Endpoint) -> None:
        if not await self._endpoints.update(endpoint, previous=previous):
            raise Conflict(f"endpoint {endpoint.id!r} changed meanwhile; read it and retry")
