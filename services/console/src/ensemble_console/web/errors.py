"""What a page can refuse with, and the page each refusal shows (404, 403, 410, 500, 503),
in the person's language. An API's refusal that a route does not handle itself becomes the
matching page here: a 500 page means a bug in the console, never a refusal."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from ensemble_console.clients import ApiError
from ensemble_console.clients.base import Unreachable
from ensemble_shared.redaction import redact_path

log = logging.getLogger(__name__)


class SignInRequired(Exception):
    """The page needs a signed-in person: to the sign-in page (staff's, or the community
    portal's), and back here after."""

    def __init__(self, back_to: str, sign_in: str = "/sign-in") -> None:
        super().__init__(back_to)
        self.back_to = back_to
        self.sign_in = sign_in


class PageError(Exception):
    """A page that cannot be shown: `status` picks the error page, `kind` its wording."""

    def __init__(self, status: int, kind: str = "") -> None:
        super().__init__(f"{status} {kind}")
        self.status = status
        self.kind = kind


class CsrfRefused(PageError):
    def __init__(self) -> None:
        super().__init__(403, "csrf")


STATUS_OF_API = {401: 403, 403: 403, 404: 404, 410: 410, 429: 429}


def install(app: FastAPI) -> None:
    from ensemble_console.web.visit import visit_of  # the visit renders the page

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        visit = await visit_of(request)
        return visit.error(exc.status, exc.kind)

    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        visit = await visit_of(request)
        response = RedirectResponse(f"{exc.sign_in}?next={exc.back_to}", status_code=303)
        visit.apply(response)
        return response

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        visit = await visit_of(request)
        if isinstance(exc, Unreachable) or exc.status in (502, 503, 504):
            # Down, or up but waiting on what it depends on (the store, identity's keys):
            # the same "try again shortly" page, never the console's own 500.
            log.warning("%s unavailable for %s", exc.service, redact_path(request.url.path))
            return visit.error(503, "unreachable")
        status = STATUS_OF_API.get(exc.status, 500)
        if status == 500:
            log.error(
                "%s answered %s to %s: %s",
                exc.service,
                exc.status,
                redact_path(request.url.path),
                exc.message,
            )
        return visit.error(status, exc.reason or "")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        visit = await visit_of(request)
        status = exc.status_code if exc.status_code in (404, 405) else 400
        return visit.error(404 if status == 405 else status, "")

    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("page failed: %s", redact_path(request.url.path))
        visit = await visit_of(request)
        return visit.error(500, "")

    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)
