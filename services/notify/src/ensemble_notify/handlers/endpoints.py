"""Endpoints for admins: integrators' signed webhooks and chat channels, and their breakers."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_notify.handlers.dependencies import CircuitBreakers, Endpoints
from ensemble_notify.models.endpoints import (
    EndpointCreate,
    EndpointCreated,
    EndpointDetail,
    EndpointOut,
    EndpointUpdate,
    SecretRotated,
    SecretRotation,
)
from ensemble_shared.web.auth import Admin
from ensemble_shared.web.pagination import PageSize

router = APIRouter(tags=["endpoints"])


@router.post("/endpoints", status_code=201, summary="Subscribe a webhook endpoint.")
async def create_endpoint(
    body: EndpointCreate, principal: Admin, endpoints: Endpoints
) -> EndpointCreated:
    endpoint, secret = await endpoints.create(principal.workspace, body)
    return EndpointCreated(**EndpointOut.of(endpoint).model_dump(), secret=secret)


@router.get("/endpoints/{endpoint_id}", summary="One endpoint and its breaker.")
async def get_endpoint(
    endpoint_id: str, principal: Admin, endpoints: Endpoints, breakers: CircuitBreakers
) -> EndpointDetail:
    endpoint = await endpoints.get(principal.workspace, endpoint_id)
    breaker = await breakers.view(endpoint.workspace, endpoint.id)
    return EndpointDetail(**EndpointOut.of(endpoint).model_dump(), breaker=breaker)


@router.patch(
    "/endpoints/{endpoint_id}",
    summary="Change an endpoint's event filters, language, description, or disable it.",
)
async def update_endpoint(
    endpoint_id: str, body: EndpointUpdate, principal: Admin, endpoints: Endpoints
) -> EndpointOut:
    return EndpointOut.of(await endpoints.update(principal.workspace, endpoint_id, body))


@router.post(
    "/endpoints/{endpoint_id}/secrets/rotate",
    summary="Add a new signing secret; the current ones expire after a grace period.",
)
async def rotate_secret(
    endpoint_id: str, body: SecretRotation, principal: Admin, endpoints: Endpoints
) -> SecretRotated:
    endpoint, secret = await endpoints.rotate(principal.workspace, endpoint_id, body)
    return SecretRotated(endpoint=EndpointOut.of(endpoint), secret=secret)


@router.get("/endpoints", summary="The workspace's webhook endpoints.")
async def list_endpoints(
    principal: Admin, endpoints: Endpoints, limit: PageSize = 100
) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in await endpoints.list(principal.workspace, limit=limit)]
