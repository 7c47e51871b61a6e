"""What the services need behind the proxy: its request id as correlation id, and the API served
under /api/<service> with the prefix stripped or not."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from ensemble_shared.logs import correlation_id
from ensemble_shared.settings import HttpSettings
from ensemble_shared.web.middleware import CorrelationId, RootPath


def app() -> FastAPI:
    made = FastAPI(title="t")

    @made.get("/things")
    async def things() -> dict[str, str | None]:
        return {"correlation": correlation_id.get()}

    made.add_middleware(CorrelationId)
    made.add_middleware(RootPath, root_path="/api/things")
    return made


async def get(path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path, headers=headers)


async def test_the_proxys_request_id_becomes_the_correlation_id() -> None:
    answer = await get("/things", {"x-request-id": "3f2a-proxy-id"})
    assert answer.json() == {"correlation": "3f2a-proxy-id"}
    assert answer.headers["x-correlation-id"] == "3f2a-proxy-id"


async def test_a_callers_correlation_id_wins_over_the_request_id() -> None:
    answer = await get("/things", {"x-request-id": "proxy", "x-correlation-id": "mine"})
    assert answer.json() == {"correlation": "mine"}


async def test_a_malformed_request_id_is_replaced() -> None:
    answer = await get("/things", {"x-request-id": "bad id with spaces"})
    assert answer.json()["correlation"] not in ("bad id with spaces", None)


@pytest.mark.parametrize("path", ["/things", "/api/things/things"])
async def test_the_api_answers_with_and_without_its_prefix(path: str) -> None:
    assert (await get(path)).status_code == 200


async def test_docs_and_openapi_link_through_the_prefix() -> None:
    docs = await get("/docs")
    assert "url: '/api/things/openapi.json'" in docs.text
    document = (await get("/api/things/openapi.json")).json()
    assert document["servers"] == [{"url": "/api/things"}]


def test_the_root_path_defaults_to_the_services_api_prefix() -> None:
    assert HttpSettings().root_path_of("notify") == "/api/notify"
    assert HttpSettings(root_path="").root_path_of("notify") == ""
    with pytest.raises(ValueError, match="root_path"):
        HttpSettings(root_path="api/no-leading-slash")
