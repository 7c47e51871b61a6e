"""`POST /oauth/token`: the OAuth 2 client-credentials grant (RFC 6749 §4.4) for API keys.

The request is parsed here by hand because RFC 6749 fixes the error shapes (§5.2): a missing
parameter is `invalid_request`, not FastAPI's 422. Client authentication is HTTP Basic with
form-urlencoded id and secret (§2.3.1), or the two as form fields; never both.
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ensemble_identity.exceptions import OAuthError
from ensemble_identity.handlers.deps import ClientOrigin, Identity
from ensemble_identity.handlers.errors import NO_STORE

router = APIRouter(tags=["oauth"])

_FORM = "application/x-www-form-urlencoded"


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        client_id, secret = decoded.split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from exc
    return unquote_plus(client_id), unquote_plus(secret)


def parse(content_type: str, body: bytes, authorization: str | None) -> tuple[str, str, str | None]:
    """(client id, client secret, scope) of a well-formed client-credentials request."""
    if content_type.split(";")[0].strip().lower() != _FORM:
        raise OAuthError("invalid_request", f"the body must be {_FORM}")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "the body is not form-urlencoded") from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise OAuthError("invalid_request", f"{name} is given more than once")
        params[name] = value
    grant = params.get("grant_type")
    if not grant:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant != "client_credentials":
        raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
    basic = _basic(authorization)
    in_form = "client_id" in params or "client_secret" in params
    if basic and in_form:
        raise OAuthError("invalid_request", "use one client authentication method, not two")
    client_id, secret = basic or (params.get("client_id", ""), params.get("client_secret", ""))
    if not client_id or not secret:
        raise OAuthError("invalid_client", "client authentication is required", status=401)
    scope = params.get("scope")
    return client_id, secret, scope


@router.post(
    "/oauth/token",
    summary="Exchange an API key for an access token (client credentials grant).",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                _FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "scope": {"type": "string", "description": "Roles, space-separated."},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request, services: Identity, origin: ClientOrigin) -> JSONResponse:
    client_id, secret, scope = parse(
        request.headers.get("content-type", ""),
        await request.body(),
        request.headers.get("authorization"),
    )
    issued = await services.api_keys.exchange(client_id, secret, scope, origin)
    return JSONResponse(issued.model_dump(exclude_none=True), headers=NO_STORE)
