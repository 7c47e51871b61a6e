"""Replays for admins: resend one delivery, or every delivery to an endpoint since a time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from ensemble_notify.handlers.dependencies import Replays
from ensemble_notify.models.replay import EndpointReplayRequest, ReplayProgress
from ensemble_shared.web.auth import Admin

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Send the same key when retrying: the retry finds the same replay.",
    ),
]

router = APIRouter(tags=["replays"])

SAME_WEBHOOK_ID = (
    "A new attempt series of the same payload: webhooks keep their webhook-id, so receivers "
    "that dedupe on it see the same message. The original's log is unchanged."
)


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=202,
    summary="Send one finished delivery again.",
    description=SAME_WEBHOOK_ID,
)
async def replay_delivery(
    delivery_id: str,
    principal: Admin,
    replays: Replays,
    idempotency_key: IdempotencyKey = None,
) -> ReplayProgress:
    return await replays.replay_delivery(
        principal.workspace, delivery_id, key=idempotency_key, by=principal.subject
    )


@router.post(
    "/endpoints/{endpoint_id}/replay",
    status_code=202,
    summary="Send every finished delivery to an endpoint since a time again.",
    description=SAME_WEBHOOK_ID + " Follow the job's progress at /replays/{id}.",
)
async def replay_endpoint(
    endpoint_id: str,
    body: EndpointReplayRequest,
    principal: Admin,
    replays: Replays,
    idempotency_key: IdempotencyKey = None,
) -> ReplayProgress:
    return await replays.replay_endpoint(
        principal.workspace,
        endpoint_id,
        since=body.since,
        key=idempotency_key,
        by=principal.subject,
    )


@router.get("/replays/{replay_id}", summary="A replay's progress: total, done, failed.")
async def get_replay(replay_id: str, principal: Admin, replays: Replays) -> ReplayProgress:
    return await replays.get(principal.workspace, replay_id)
