"""Calling an API server to server: its base URL, the person's credentials and address, and
every refusal as one exception type the pages turn into their own messages.

The console is the only web app: a person's browser never talks to an API. Each call carries
the browser's address in `X-Forwarded-For` and its `User-Agent`, so identity's rate limits,
lockouts, session lists and audit log see the person, not the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from ensemble_shared.logs import correlation_id

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class Origin:
    """Where the person calls from, as the console saw it (after the proxy's headers)."""

    ip: str | None
    user_agent: str = ""


@dataclass(frozen=True)
class Caller:
    """Who a call is made for: the browser's origin and, once signed in, its session token."""

    origin: Origin
    session: str | None = None


class ApiError(Exception):
    """An API refused or failed: its status, its error code and message, and for 410 which
    way a link is spent (`reason`), for 429 how long to wait, for 422 what is wrong with
    each field of the request's body (`fields`, by dotted path: `rules.0.query`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        reason: str | None = None,
        retry_after: int | None = None,
        service: str = "",
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{service} {status} {code}: {message}")
        self.fields = dict(fields or {})
        self.status = status
        self.code = code
        self.message = message
        self.reason = reason
        self.retry_after = retry_after
        self.service = service
        self.fields = dict(fields or {})

    @classmethod
    def of(cls, service: str, response: httpx.Response) -> ApiError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        retry = response.headers.get("retry-after", "")
        return cls(
            response.status_code,
            str(body.get("error") or "error"),
            str(body.get("message") or body.get("error_description") or response.reason_phrase),
            reason=body.get("reason"),
            retry_after=int(retry) if retry.isdigit() else None,
            service=service,
            fields=field_errors(body.get("detail")),
        )


def field_errors(detail: Any) -> dict[str, str]:
    """A validation answer's errors by the body field they name (`rules.0.query`, or `""`
    for the body as a whole), the first message of each; the pages show them by their field.
    pydantic's "Value error, " prefix is dropped: the rest is the API's own sentence."""
    found: dict[str, str] = {}
    for error in detail if isinstance(detail, list) else []:
        if not isinstance(error, dict) or not isinstance(error.get("loc"), list):
            continue
        location = [str(part) for part in error["loc"]]
        if location[:1] == ["body"]:
            location = location[1:]
        message = str(error.get("msg") or "invalid").removeprefix("Value error, ")
        found.setdefault(".".join(location), message)
    return found


class Unreachable(ApiError):
    """The API did not answer at all (down, or too slow): a 503 page, never a 500."""


class ServiceClient:
    """One backend: `call` sends a request for a caller and returns its JSON, or raises."""

    service = "api"

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")

    def _headers(self, origin: Origin | None, credential: str | None) -> dict[str, str]:
        headers: dict[str, str] = {}
        if origin is not None:
            if origin.ip:
                headers["x-forwarded-for"] = origin.ip
            headers["user-agent"] = origin.user_agent or "ensemble-console"
        if credential is not None:
            headers["authorization"] = f"Bearer {credential}"
        request_id = correlation_id.get()
        if request_id:
            headers["x-correlation-id"] = request_id
        return headers

    async def call(
        self,
        method: str,
        path: str,
        *,
        origin: Origin | None = None,
        credential: str | None = None,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The answer's JSON (None for an empty answer); ApiError for any status >= 400."""
        try:
            response = await self._http.request(
                method,
                f"{self.base_url}{path}",
                headers={**self._headers(origin, credential), **(headers or {})},
                json=json,
                params={k: v for k, v in (params or {}).items() if v is not None},
            )
        except httpx.HTTPError as exc:
            raise Unreachable(
                503, "unreachable", f"{type(exc).__name__}", service=self.service
            ) from exc
        if response.status_code >= 400:
            raise ApiError.of(self.service, response)
        return response.json() if response.content else None

    @staticmethod
    def parse(model: type[M], data: Any) -> M:
        return model.model_validate(data)

    @staticmethod
    def parse_list(model: type[M], data: Any) -> list[M]:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]


class TokenSource(Protocol):
    async def get(self, session: str, workspace: str) -> str:
        """An access token of `session` for `workspace` (cached)."""
        ...


class WorkspaceClient(ServiceClient):
    """A backend called for a signed-in person in one workspace, with their access token."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, tokens: TokenSource) -> None:
        super().__init__(http, base_url)
        self._tokens = tokens

    async def as_person(
        self,
        caller: Caller,
        workspace: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        if caller.session is None:
            raise ApiError(401, "unauthenticated", "sign in first", service=self.service)
        token = await self._tokens.get(caller.session, workspace)
        return await self.call(
            method, path, origin=caller.origin, credential=token, json=json, params=params
        )


def segment(value: str) -> str:
    """A path segment as the person typed or linked it, never a path of its own."""
    return quote(value, safe="")
