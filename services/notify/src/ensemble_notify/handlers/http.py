"""Notify's HTTP API for staff: endpoints, the people directory, the delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from ensemble_notify.models.breaker import BreakerView
from ensemble_notify.models.deliveries import DeliveryDetail, DeliveryStatus, DeliveryView
from ensemble_notify.models.endpoints import (
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointUpdate,
    SecretRotated,
    SecretRotation,
)
from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.log import DeliveryLog
from ensemble_notify.services.people import Directory
from ensemble_shared.web.auth import Admin, Manager


def _endpoints(request: Request) -> EndpointService:
    service: EndpointService = request.app.state.endpoints
    return service


def _deliveries(request: Request) -> DeliveryLog:
    log: DeliveryLog = request.app.state.delivery_log
    return log


def _breakers(request: Request) -> Breakers:
    breakers: Breakers = request.app.state.breakers
    return breakers


def _directory(request: Request) -> Directory:
    directory: Directory = request.app.state.directory
    return directory


Endpoints = Annotated[EndpointService, Depends(_endpoints)]
Deliveries = Annotated[DeliveryLog, Depends(_deliveries)]
People = Annotated[Directory, Depends(_directory)]
CircuitBreakers = Annotated[Breakers, Depends(_breakers)]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]

router = APIRouter()


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


class EndpointDetail(EndpointOut):
    breaker: BreakerView = Field(description="Its circuit breaker, as every replica sees it.")


@router.get("/endpoints/{endpoint_id}", tags=["endpoints"], summary="One endpoint and its breaker.")
async def get_endpoint(
    endpoint_id: str, principal: Admin, endpoints: Endpoints, breakers: CircuitBreakers
) -> EndpointDetail:
    endpoint = await endpoints.get(principal.workspace, endpoint_id)
    breaker = await breakers.view(endpoint.workspace, endpoint.id)
    return EndpointDetail(**EndpointOut.of(endpoint).model_dump(), breaker=breaker)


@router.patch(
    "/endpoints/{endpoint_id}",
    tags=["endpoints"],
    summary="Change an endpoint's event filters, language, description, or disable it.",
)
async def update_endpoint(
    endpoint_id: str, body: EndpointUpdate, principal: Admin, endpoints: Endpoints
) -> EndpointOut:
    return EndpointOut.of(await endpoints.update(principal.workspace, endpoint_id, body))


@router.post(
    "/endpoints/{endpoint_id}/secrets/rotate",
    tags=["endpoints"],
    summary="Add a new signing secret; the current ones expire after a grace period.",
)
async def rotate_secret(
    endpoint_id: str, body: SecretRotation, principal: Admin, endpoints: Endpoints
) -> SecretRotated:
    endpoint, secret = await endpoints.rotate(principal.workspace, endpoint_id, body)
    return SecretRotated(endpoint=EndpointOut.of(endpoint), secret=secret)


@router.get("/endpoints", tags=["endpoints"], summary="The workspace's webhook endpoints.")
async def list_endpoints(
    principal: Admin, endpoints: Endpoints, limit: Limit = 100
) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in await endpoints.list(principal.workspace, limit=limit)]


@router.put("/people/{person_id}", tags=["people"], summary="Add or replace a person.")
async def put_person(
    person_id: Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$]+$")],
    body: PersonPut,
    principal: Manager,
    people: People,
) -> Person:
    return await people.put(principal.workspace, person_id, body)


@router.get("/people/{person_id}", tags=["people"], summary="One person of the directory.")
async def get_person(person_id: str, principal: Manager, people: People) -> Person:
    return await people.get(principal.workspace, person_id)


@router.get("/people", tags=["people"], summary="The workspace's directory.")
async def list_people(principal: Manager, people: People, limit: Limit = 100) -> list[Person]:
    return await people.list(principal.workspace, limit=limit)


@router.get(
    "/deliveries",
    tags=["deliveries"],
    summary="Deliveries, newest first; status=failed lists dead letters with their reason.",
)
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
    "/deliveries/{delivery_id}",
    tags=["deliveries"],
    summary="One delivery: its attempts with status codes and latency, and its replays.",
)
async def get_delivery(
    delivery_id: str, principal: Admin, deliveries: Deliveries
) -> DeliveryDetail:
    return await deliveries.detail(principal.workspace, delivery_id)
