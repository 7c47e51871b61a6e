"""Health and readiness, like every service's (the dev stack and compose wait on them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ensemble_console.clients import ApiError, Clients

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok", "service": "console"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when identity answers: without it nobody can sign in."""
    clients: Clients = request.app.state.clients
    try:
        await clients.identity.setup_status()
        checks = {"identity": "ok"}
    except ApiError as exc:
        checks = {"identity": f"{exc.status} {exc.code}"}
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
