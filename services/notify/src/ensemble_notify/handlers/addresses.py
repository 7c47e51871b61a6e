"""Address verification links (no login: the signed token is the credential). The console's
page `/hooks/verify-address/<token>` calls these: GET shows, POST confirms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ensemble_notify.handlers.dependencies import Proofs
from ensemble_notify.models.addresses import AddressVerification

Token = Annotated[str, Query(min_length=10, max_length=4000)]

router = APIRouter(tags=["people"])
GONE: dict[int | str, dict[str, Any]] = {
    410: {"description": "The link was used already, or a newer address replaced it."}
}


@router.get(
    "/addresses/verification",
    summary="What a verification link confirms (reads only).",
    responses=GONE,
)
async def read_verification(token: Token, proofs: Proofs) -> AddressVerification:
    return await proofs.read(token)


@router.post(
    "/addresses/verification",
    summary="Confirm the address a verification link names: it is in use from now on.",
    responses=GONE,
)
async def confirm_verification(token: Token, proofs: Proofs) -> AddressVerification:
    return await proofs.confirm(token)
