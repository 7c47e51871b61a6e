"""Notify's HTTP API: webhook endpoints and the delivery log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from ensemble_notify.models.deliveries import DeliveryStatus, DeliveryView
from ensemble_notify.models.endpoints import EndpointCreate, EndpointCreated, EndpointOut
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.log import DeliveryLog
from ensemble_shared.auth import Principal, Role
from ensemble_shared.web import require_roles


def _endpoints(request: Request) -> EndpointService:
    service: EndpointService = request.app.state.endpoints
    return service


def _deliveries(request: Request) -> DeliveryLog:
    log: DeliveryLog = request.app.state.delivery_log
    return log


Endpoints = Annotated[EndpointService, Depends(_endpoints)]
Deliveries = Annotated[DeliveryLog, Depends(_deliveries)]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]

router = APIRouter()


class DeliveryDetail(DeliveryView):
    attempt_log: list[dict[str, Any]]


class DeliveryPage(BaseModel):
    items: list[DeliveryView]


@router.post(
    "/endpoints", status_code=201, tags=["endpoints"], summary="Subscribe a webhook endpoint."
)
async def create_endpoint(
    body: EndpointCreate, principal: Admin, endpoints: Endpoints
) -> EndpointCreated:
    endpoint, secret = await endpoints.create(principal.workspace, body)
    return EndpointCreated(**EndpointOut.of(endpoint).model_dump(), secret=secret)


@router.get("/endpoints", tags=["endpoints"], summary="The workspace's webhook endpoints.")
async def list_endpoints(
    principal: Admin, endpoints: Endpoints, limit: Limit = 100
) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in await endpoints.list(principal.workspace, limit=limit)]


@router.get("/deliveries", tags=["deliveries"], summary="Deliveries, newest first.")
async def list_deliveries(
    principal: Admin,
    deliveries: Deliveries,
    status: DeliveryStatus | None = None,
    limit: Limit = 50,
) -> DeliveryPage:
    return DeliveryPage(
        items=await deliveries.page(principal.workspace, status=status, limit=limit)
    )


@router.get(
    "/deliveries/{delivery_id}", tags=["deliveries"], summary="One delivery and its attempts."
)
async def get_delivery(
    delivery_id: str, principal: Admin, deliveries: Deliveries
) -> DeliveryDetail:
    view, attempts = await deliveries.get(principal.workspace, delivery_id)
    return DeliveryDetail(**view.model_dump(), attempt_log=attempts)
