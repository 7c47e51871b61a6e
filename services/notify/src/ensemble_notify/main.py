"""Notify's app: `create_app()` opens the infrastructure, builds notify (wiring.py) on it, and
serves its routes and subscribers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ensemble_notify.config import NotifySettings
from ensemble_notify.exceptions import LinkGone
from ensemble_notify.handlers import (
    addresses,
    deliveries,
    directory,
    endpoints,
    inbox,
    kafka,
    preferences,
    replay,
    routing_rules,
)
from ensemble_notify.storage import INDEXES
from ensemble_notify.wiring import build, http_client
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.web import create_service_app


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "gone", "message": str(exc)}, status_code=410)


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        async with http_client(settings) as http:
            notify = build(settings, infra, http)
            app.state.notify = notify
            kafka.register(infra, notify)
            try:
                yield notify.loops()
            finally:
                await infra.broker.stop()  # stop consuming before in-flight sends are cancelled
                await notify.drain()

    app = create_service_app(
        service="notify",
        version=version("ensemble-notify"),
        description="Events to people, teams and integrators: routing, channels, delivery log.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[
            endpoints.router,
            directory.router,
            addresses.router,
            deliveries.router,
            inbox.router,
            replay.router,
            routing_rules.router,
            preferences.router,
        ],
    )
    app.add_exception_handler(LinkGone, _gone)
    return app
