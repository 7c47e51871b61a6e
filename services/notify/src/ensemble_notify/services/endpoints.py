"""Integrators' webhook endpoints."""

from __future__ import annotations

from ensemble_notify.models.endpoints import Endpoint, EndpointCreate
from ensemble_notify.storage import EndpointRepository
from ensemble_shared.signatures import new_secret


class EndpointService:
    def __init__(self, endpoints: EndpointRepository) -> None:
        self._endpoints = endpoints

    async def create(self, workspace: str, request: EndpointCreate) -> tuple[Endpoint, str]:
        secret = new_secret()
        endpoint = Endpoint(
            workspace=workspace,
            url=str(request.url),
            events=request.events,
            description=request.description,
            secrets=[secret],
        )
        await self._endpoints.add(endpoint)
        return endpoint, secret

    async def list(self, workspace: str, *, limit: int) -> list[Endpoint]:
        return await self._endpoints.in_workspace(workspace, limit=limit)
