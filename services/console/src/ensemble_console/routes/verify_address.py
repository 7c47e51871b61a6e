"""The address verification page: where the link notify sends to a new address leads (an
email address, a Slack or Teams webhook someone set for a person). Until it is confirmed here,
notify sends that address nothing else, decision links least of all.

GET shows which address, for whom and in which workspace, with one button, and never changes
anything (mail scanners and chat unfurlers fetch links); the button's POST confirms through
notify (`POST /addresses/verification`), then redirects to the page, which now says the
address is in use. A used or replaced link, and a forged or expired one, get their page. The
token is a capability: no referrer, redacted from the logs.

The answer's few fields are read here rather than through a model in `models/notify.py`,
to keep this page to its own files while other screens are built beside it.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import VisitOf
from ensemble_console.web.visit import Visit

router = APIRouter(prefix="/hooks/verify-address")
API = "/addresses/verification"


class Verification(BaseModel):
    """notify's answer: what the link confirms, and whether it is in use already."""

    model_config = ConfigDict(extra="ignore")

    workspace: str
    person: str
    channel: str
    address: str
    status: Literal["pending", "confirmed"]


def refused(visit: Visit, exc: ApiError) -> object:
    """410 used or replaced, 401 forged, 422 expired or malformed, 404 person gone."""
    if exc.status == 410:
        return visit.page("verify_address/verify.html", status=410, state="gone")
    if exc.status in (400, 401, 404, 422):
        expired = "expired" in exc.message
        return visit.page(
            "verify_address/verify.html", status=410 if expired else 404, state="invalid"
        )
    raise exc


async def _call(visit: Visit, method: str, token: str) -> Verification:
    answer: Any = await visit.clients.notify.call(
        method, API, params={"token": token}, origin=visit.caller.origin
    )
    return Verification.model_validate(answer)


@router.get("/{token}")
async def verification_page(visit: VisitOf, token: str) -> object:
    try:
        found = await _call(visit, "GET", token)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.page(
        "verify_address/verify.html",
        state=found.status,
        found=found,
        action=f"/hooks/verify-address/{token}",
    )


@router.post("/{token}")
async def confirm(visit: VisitOf, token: str) -> object:
    try:
        await _call(visit, "POST", token)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.redirect(f"/hooks/verify-address/{token}")
