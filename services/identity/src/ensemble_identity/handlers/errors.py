"""Identity's own error answers: 410 for spent links, RFC 6749 shapes at the token endpoint,
502 when an identity provider does not answer. Shared errors are mapped by ensemble_shared."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ensemble_identity.exceptions import Gone, OAuthError, Unavailable

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Gone)
    return JSONResponse(
        {"error": "gone", "reason": exc.reason, "message": str(exc)}, status_code=410
    )


async def _oauth(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OAuthError)
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ensemble", charset="UTF-8"'
    return JSONResponse(
        {"error": exc.error, "error_description": str(exc)},
        status_code=exc.status,
        headers=headers,
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "bad_gateway", "message": str(exc)}, status_code=502)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Gone, _gone)
    app.add_exception_handler(OAuthError, _oauth)
    app.add_exception_handler(Unavailable, _unavailable)
