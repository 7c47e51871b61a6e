"""The delivery log for admins: deliveries with their state, attempts and replays."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_notify.handlers.dependencies import Deliveries
from ensemble_notify.models.deliveries import DeliveryDetail, DeliveryPage, DeliveryStatus
from ensemble_shared.web.auth import Admin
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

router = APIRouter(tags=["deliveries"])


@router.get(
    "/deliveries",
    summary="Deliveries, newest first; status=failed lists dead letters with their reason.",
)
async def list_deliveries(
    principal: Admin,
    deliveries: Deliveries,
    status: DeliveryStatus | None = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> DeliveryPage:
    return DeliveryPage(
        items=await deliveries.page(principal.workspace, status=status, limit=limit)
    )


@router.get(
    "/deliveries/{delivery_id}",
    summary="One delivery: its attempts with status codes and latency, and its replays.",
)
async def get_delivery(
    delivery_id: str, principal: Admin, deliveries: Deliveries
) -> DeliveryDetail:
    return await deliveries.detail(principal.workspace, delivery_id)
