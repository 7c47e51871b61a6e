"""Admin pages of notify: integrator endpoints (create, rotate the signing secret, shown once
on the answer to the form; disable; one endpoint with its circuit breaker), and the delivery
log with replay and its progress; one delivery with its attempts and replays; everything sent
to an endpoint since a time, sent again (its page)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.moments import BadMoment, local_moment

router = APIRouter(prefix="/w/{workspace}/admin")

KINDS = ("webhook", "slack", "teams")
DeliveryStatus = Literal["pending", "delivered", "failed"]
GRACE_HOURS = (0, 1, 24, 168)
EndpointId = Annotated[str, Path(min_length=1, max_length=64)]
DeliveryId = Annotated[str, Path(min_length=1, max_length=300)]


def event_types(text: str) -> list[str]:
    """Event types typed comma- or space-separated; none means every event."""
    return list(dict.fromkeys(text.replace(",", " ").split())) or ["*"]


async def _endpoints(admin: Admin, status: int = 200, **context: Any) -> object:
    visit = admin.visit
    listed = await visit.clients.notify.endpoints(visit.caller, admin.workspace)
    return visit.page(
        "notifications/endpoints.html",
        status=status,
        place=admin.place,
        endpoints=listed,
        kinds=KINDS,
        grace_hours=GRACE_HOURS,
        **{"secret": None, "secret_of": None, "error": "", **context},
    )


@router.get("/endpoints")
async def endpoints(admin: Admin) -> object:
    return await _endpoints(admin)


@router.post("/endpoints")
async def create_endpoint(
    admin: Admin,
    url: Annotated[str, Form(max_length=2000)],
    kind: Annotated[Literal["webhook", "slack", "teams"], Form()] = "webhook",
    events: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=500)] = "",
) -> object:
    visit = admin.visit
    body = {
        "url": url.strip(),
        "kind": kind,
        "events": event_types(events),
        "description": description.strip() or None,
        "language": visit.i18n.language,
    }
    try:
        created = await visit.clients.notify.create_endpoint(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _endpoints(admin, status=422, error="invalid")
    if created.secret is None:
        return visit.redirect(f"/w/{admin.workspace}/admin/endpoints", notice="endpoint_created")
    return await _endpoints(admin, status=201, secret=created.secret, secret_of=created)


@router.get("/endpoints/{endpoint_id}")
async def endpoint(
    admin: Admin, endpoint_id: EndpointId, status: int = 200, since: str = ""
) -> object:
    """Whether notify is holding its deliveries back (breaker open), and why; the form that
    sends everything since a time again (`since`: what was typed, shown back when refused)."""
    visit = admin.visit
    found = await visit.clients.notify.endpoint(visit.caller, admin.workspace, endpoint_id)
    return visit.page(
        "notifications/endpoint.html",
        status=status,
        place=admin.place,
        endpoint=found,
        since=since,
        refused=status != 200,
        zone=str(visit.i18n.zone),
    )


@router.post("/endpoints/{endpoint_id}/replay")
async def replay_endpoint(
    admin: Admin, endpoint_id: EndpointId, since: Annotated[str, Form(max_length=40)] = ""
) -> object:
    """Every finished delivery to the endpoint since the time typed (the person's zone), sent
    again under the same webhook ids; the progress is the delivery log's replay panel."""
    visit = admin.visit
    try:
        moment = local_moment(since, visit.i18n.zone)
    except BadMoment:
        moment = None
    if moment is None:
        return await endpoint(admin, endpoint_id, status=422, since=since)
    try:
        started = await visit.clients.notify.replay_endpoint(
            visit.caller, admin.workspace, endpoint_id, moment
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await endpoint(admin, endpoint_id, status=exc.status, since=since)
    return visit.redirect(
        f"/w/{admin.workspace}/admin/deliveries?replay={started.id}", notice="replay_started"
    )


@router.post("/endpoints/{endpoint_id}/rotate")
async def rotate(
    admin: Admin, endpoint_id: str, grace_hours: Annotated[int, Form(ge=0, le=720)] = 24
) -> object:
    visit = admin.visit
    secret = await visit.clients.notify.rotate_secret(
        visit.caller, admin.workspace, endpoint_id, grace_hours * 3600
    )
    listed = await visit.clients.notify.endpoints(visit.caller, admin.workspace)
    rotated = next((e for e in listed if e.id == endpoint_id), None)
    return await _endpoints(admin, secret=secret, secret_of=rotated)


@router.post("/endpoints/{endpoint_id}/enabled")
async def set_enabled(
    admin: Admin, endpoint_id: str, enabled: Annotated[Literal["on", "off"], Form()]
) -> object:
    visit = admin.visit
    await visit.clients.notify.disable_endpoint(
        visit.caller, admin.workspace, endpoint_id, enabled == "on"
    )
    notice = "endpoint_enabled" if enabled == "on" else "endpoint_disabled"
    return visit.redirect(f"/w/{admin.workspace}/admin/endpoints", notice=notice)


@router.get("/deliveries")
async def deliveries(
    admin: Admin,
    status: Annotated[DeliveryStatus | Literal[""], Query()] = "",
    replay: Annotated[str | None, Query(max_length=64)] = None,
) -> object:
    visit = admin.visit
    listed = await visit.clients.notify.deliveries(visit.caller, admin.workspace, status or None)
    progress = None
    if replay:
        progress = await visit.clients.notify.replay(visit.caller, admin.workspace, replay)
    return visit.page(
        "notifications/deliveries.html",
        place=admin.place,
        deliveries=listed,
        chosen=status,
        statuses=("pending", "delivered", "failed"),
        replay=progress,
    )


@router.get("/deliveries/{delivery_id}")
async def delivery(admin: Admin, delivery_id: DeliveryId) -> object:
    """Each attempt's answer and the time it took, to tell a slow receiver from a refusing one."""
    visit = admin.visit
    found = await visit.clients.notify.delivery(visit.caller, admin.workspace, delivery_id)
    return visit.page("notifications/delivery.html", place=admin.place, delivery=found)


@router.post("/deliveries/{delivery_id}/replay")
async def replay(admin: Admin, delivery_id: str) -> object:
    visit = admin.visit
    try:
        started = await visit.clients.notify.replay_delivery(
            visit.caller, admin.workspace, delivery_id
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return visit.redirect(f"/w/{admin.workspace}/admin/deliveries", notice="replay_refused")
    # The replay's id is no capability (admins only, like the page): its progress is linkable.
    return visit.redirect(
        f"/w/{admin.workspace}/admin/deliveries?replay={started.id}", notice="replay_started"
    )
