"""What every service's FastAPI app has in common."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from ensemble_shared.errors import (
    Conflict,
    EnsembleError,
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from ensemble_shared.logs import configure_logging
from ensemble_shared.runtime import Infrastructure, Loop, open_infrastructure
from ensemble_shared.settings import HttpSettings, ServiceSettings
from ensemble_shared.storage import STORE_ERRORS, Index, is_store_brownout
from ensemble_shared.web.guards import OperatorKeyGuard
from ensemble_shared.web.middleware import BodyLimit, CorrelationId, RequestMetrics, RootPath
from ensemble_shared.web.openapi import include_schemas
from ensemble_shared.web.read_limits import ReadLimiter

log = logging.getLogger(__name__)

_STATUS: dict[type[EnsembleError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    Conflict: (409, "conflict"),
    Gone: (410, "gone"),
    Invalid: (422, "invalid"),
    TooManyRequests: (429, "too_many_requests"),
    Unavailable: (503, "unavailable"),
}


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()))
    return f"{location}: {error.get('msg', 'invalid')}"


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status, code = next(
        (mapped for cls, mapped in _STATUS.items() if isinstance(exc, cls)), (400, "bad_request")
    )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unavailable):
        headers = {"Retry-After": "5"}
    return JSONResponse({"error": code, "message": str(exc)}, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": e.get("loc"), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()
    ]
    return JSONResponse(
        {
            "error": "validation_error",
            "message": "; ".join(_describe(e) for e in errors),
            "detail": errors,
        },
        status_code=422,
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    """A store brownout answers 503 (retry later); any other store error stays a 500."""
    if not is_store_brownout(exc):
        raise exc
    log.warning("store unavailable: %r", exc)
    return JSONResponse(
        {"error": "unavailable", "message": "the store is unavailable; retry later"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def install_common(app: FastAPI, *, service: str, http: HttpSettings, version: str) -> None:
    """Middleware, error mapping, operational routes; the lifespan sets `app.state.infra`."""
    app.add_middleware(RequestMetrics)
    app.add_middleware(OperatorKeyGuard)  # inside BodyLimit: it reads bodies already capped
    app.add_middleware(BodyLimit, max_bytes=http.max_body_bytes)
    app.add_middleware(CorrelationId)
    app.state.read_limiter = ReadLimiter(http.read_rate_limit)
    app.add_exception_handler(EnsembleError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for store_error in STORE_ERRORS:
        app.add_exception_handler(store_error, _unavailable)

    @app.get("/healthz", tags=["operations"], summary="The process is alive.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["operations"], summary="Kafka and MongoDB answer.")
    async def readyz(request: Request) -> JSONResponse:
        infra: Infrastructure = request.app.state.infra
        checks = await infra.readiness()
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics.")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", tags=["operations"], summary="This service's AsyncAPI 3.0 document.")
    async def asyncapi(request: Request) -> Any:
        infra: Infrastructure = request.app.state.infra
        return infra.asyncapi(version)


Wiring = Callable[[FastAPI, Infrastructure], AbstractAsyncContextManager[Sequence[Loop]]]


def create_service_app(
    *,
    service: str,
    version: str,
    description: str,
    settings: ServiceSettings,
    indexes: Mapping[str, Iterable[Index]],
    wire: Wiring,
    routers: Sequence[APIRouter],
    schemas: Sequence[type[BaseModel]] = (),
    verifies_tokens: bool = True,
) -> FastAPI:
    """A service's app: its lifespan opens the infrastructure, lets `wire` build the service on
    it (publishers, subscribers, `app.state`), then starts consuming and the background loops
    `wire` yields. On the way out `wire` finishes first, then every client is closed."""
    configure_logging(service, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_infrastructure(
            settings, service=service, verifies_tokens=verifies_tokens
        ) as infra:
            app.state.infra = infra
            async with wire(app, infra) as background:
                await infra.start(indexes=indexes, background=background)
                yield

    app = FastAPI(
        title=f"Ensemble {service}", version=version, description=description, lifespan=lifespan
    )
    install_common(app, service=service, http=settings.http, version=version)
    app.add_middleware(RootPath, root_path=settings.http.root_path_of(service))  # outermost
    for router in routers:
        app.include_router(router)
    if schemas:
        include_schemas(app, *schemas)
    return app
