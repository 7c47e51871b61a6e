"""The console's app: `create_app()` builds the pages on one HTTP client to the APIs.

The console owns no data and no connection but HTTP: its lifespan opens one connection pool
to every API, builds their clients, and reads the templates and the language catalogs once.
Every router gets the CSRF check; every answer the security headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ensemble_console.clients import Clients
from ensemble_console.config import ConsoleSettings
from ensemble_console.routes import (
    account,
    addresses,
    admin,
    calendar,
    channels,
    community,
    community_embeds,
    community_events,
    community_members,
    community_moderation,
    content,
    crises,
    decisions,
    engagement,
    feeds,
    home,
    inbox,
    inbox_views,
    insights,
    insights_reports,
    insights_settings,
    integrations,
    jobs,
    links,
    notifications,
    oauth,
    operations,
    people,
    policies,
    portal,
    portal_embed,
    portal_events,
    portal_me,
    portal_member,
    preference_defaults,
    preferences,
    routing,
    setup,
    signin,
    sources,
    teams,
    templates_admin,
    triage,
    unsubscribe,
    verify_address,
    workspace,
)
from ensemble_console.web import errors, i18n
from ensemble_console.web.cookies import Cookies
from ensemble_console.web.csrf import Csrf
from ensemble_console.web.deps import require_csrf
from ensemble_console.web.headers import SecurityHeaders
from ensemble_console.web.pages import Pages
from ensemble_console.web.visit import visit_of
from ensemble_shared.logs import configure_logging
from ensemble_shared.web.middleware import CorrelationId, RequestMetrics

STATIC = Path(__file__).resolve().parent / "static"
# FastAPI tries the routes in this order, some 4 µs each (about 130 stood before the portal's):
# the public community portal, which takes the public's traffic, comes first. Only its
# routers hold paths under /c/, so the order decides no match, only what a request costs.
ROUTERS = (
    operations.router,
    portal.router,
    portal_embed.router,
    portal_events.router,
    portal_member.router,
    portal_me.router,
    home.router,
    setup.router,
    signin.router,
    links.router,
    account.router,
    admin.router,
    decisions.router,
    insights_reports.router,
    insights.router,
    insights_settings.router,
    unsubscribe.router,
    preferences.router,
    verify_address.router,
    inbox_views.router,
    inbox.router,
    content.router,
    calendar.router,
    community.router,
    community_moderation.router,
    community_members.router,
    community_events.router,
    community_embeds.router,
    sources.router,
    notifications.router,
    integrations.router,
    routing.router,
    preference_defaults.router,
    people.router,
    addresses.router,
    teams.router,
    triage.router,
    engagement.router,
    policies.router,
    channels.router,
    oauth.router,
    templates_admin.router,
    crises.router,
    feeds.router,
    jobs.router,
    workspace.router,
)


async def _invalid_form(request: Request, exc: Exception) -> Response:
    """A form that lacks a field or holds a wrong value: a 400 page, never a JSON error."""
    visit = await visit_of(request)
    return visit.error(400, "invalid")


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()  # the secret comes from the environment
    configure_logging("console", settings.log_level)
    i18n.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.api_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout) as http:
            app.state.clients = Clients.build(http, settings)
            yield

    app = FastAPI(
        title="Ensemble console",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.pages = Pages()
    app.state.csrf = Csrf(settings.secret.get_secret_value())
    app.state.cookies = Cookies(secure=settings.secure)
    app.add_middleware(RequestMetrics)
    app.add_middleware(SecurityHeaders, secure=settings.secure)
    app.add_middleware(CorrelationId)
    errors.install(app)
    app.add_exception_handler(RequestValidationError, _invalid_form)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(require_csrf)])

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
