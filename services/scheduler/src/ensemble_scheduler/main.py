"""Scheduler's app: `create_app()` gives the service its routes; wiring.py builds what they use."""

from __future__ import annotations

from functools import partial
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.exceptions import Gone, SelfApproval
from ensemble_scheduler.handlers import (
    answers,
    approvals,
    calendar,
    connections,
    content,
    crises,
    jobs,
    links,
    policies,
    publishing,
    replies,
    timers,
)
from ensemble_scheduler.storage import INDEXES
from ensemble_scheduler.wiring import wire
from ensemble_shared.web import create_service_app


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Gone)
    body = {"error": "gone", "reason": exc.reason, "message": str(exc)}
    return JSONResponse(body, status_code=410)


async def _self_approval(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SelfApproval)
    body = {"error": "forbidden", "reason": exc.reason, "message": str(exc)}
    return JSONResponse(body, status_code=403)


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()
    app = create_service_app(
        service="scheduler",
        version=version("ensemble-scheduler"),
        description="Internal collaboration: approvals with deadlines, the calendar, publishing.",
        settings=settings,
        indexes=INDEXES,
        wire=partial(wire, settings=settings),
        routers=[
            replies.router,
            content.router,
            policies.router,
            approvals.router,
            links.router,
            calendar.router,
            publishing.router,
            connections.router,
            crises.router,
            answers.router,
            timers.router,
            jobs.router,
        ],
    )
    app.add_exception_handler(Gone, _gone)
    app.add_exception_handler(SelfApproval, _self_approval)
    return app
