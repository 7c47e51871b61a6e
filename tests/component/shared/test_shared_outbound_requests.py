"""Outgoing requests to URLs people give (SSRF): real HTTP servers on 127.0.0.1, the real
client factory, the real apps. The tests run with ENSEMBLE_ALLOW_PRIVATE_URLS=true (their
receivers are on loopback); these build their settings with it off to show the refusal."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app as create_ingest_app
from ensemble_notify.channels.webhook import post_json
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.auth import Role
from ensemble_shared.outbound import RefusedRequest, ResponseTooLarge, outbound_client
from ensemble_shared.settings import OutboundSettings
from support.apps import bearer, running, settings_for
from support.receiver import Receiver
from support.threaded_server import ThreadedServer

pytestmark = pytest.mark.timeout(120)

OFF = OutboundSettings(allow_private_urls=False)
ON = OutboundSettings(allow_private_urls=True, max_response_bytes=64 * 1024)
METADATA_URL = "http://169.254.169.254/latest/meta-data/"


class BigAnswer(ThreadedServer):
    """Answers GET with `size` bytes, declared or streamed without a length."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

        async def declared(request: Request) -> Response:
            return Response(b"x" * self.size)

        async def chunked(request: Request) -> Response:
            async def chunks() -> AsyncIterator[bytes]:
                for _ in range(self.size // 1024):
                    yield b"x" * 1024

            return StreamingResponse(chunks())

        self._serve(Starlette(routes=[Route("/declared", declared), Route("/chunked", chunked)]))


async def test_loopback_is_refused_unless_private_urls_are_allowed() -> None:
    with Receiver() as receiver:
        async with outbound_client(OFF, timeout=5) as client:
            with pytest.raises(RefusedRequest, match="loopback"):
                await client.post(receiver.url, content=b"{}")
        async with outbound_client(ON, timeout=5) as client:
            assert (await client.post(receiver.url, content=b"{}")).status_code == 204
        assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        METADATA_URL,
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0:9/",
        "http://224.0.0.1/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
async def test_metadata_unspecified_and_multicast_are_refused_even_when_private_is_allowed(
    url: str,
) -> None:
    async with outbound_client(ON, timeout=5) as client:
        with pytest.raises(RefusedRequest):
            await client.get(url)


async def test_a_redirect_to_a_refused_address_is_checked_again_and_refused() -> None:
    with Receiver([307], headers={"location": METADATA_URL}) as receiver:
        async with outbound_client(ON, timeout=5, follow_redirects=True) as client:
            with pytest.raises(RefusedRequest, match="metadata"):
                await client.post(receiver.url, content=b"{}")
        assert len(receiver.received) == 1  # the first hop went out, the redirect did not


@pytest.mark.parametrize("path", ["/declared", "/chunked"])
async def test_a_response_larger_than_the_cap_is_not_read(path: str) -> None:
    with BigAnswer(256 * 1024) as server:
        async with outbound_client(ON, timeout=5) as client:
            with pytest.raises(ResponseTooLarge):
                await client.get(server.base_url + path)
            server.size = 16 * 1024
            assert len((await client.get(server.base_url + path)).content) == 16 * 1024


async def test_a_refused_address_at_send_time_is_a_permanent_failure() -> None:
    """Notify's channels give up at once (dead-lettered with the reason), no retry."""
    with Receiver() as receiver:
        async with outbound_client(OFF, timeout=5) as client:
            result = await post_json(client, receiver.url, b"{}", {})
    assert result.permanent
    assert result.error is not None
    assert "loopback" in result.error
    assert receiver.received == []


@pytest.fixture
async def strict_scheduler(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    """Scheduler as deployed: private addresses refused."""
    settings = SchedulerSettings(
        **settings_for(infra, unique_name("scheduler"), issuer), outbound=OFF
    )
    async with running(create_scheduler_app(settings)) as client:
        yield client


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/hook", METADATA_URL, "http://10.1.2.3/", "http://localhost/"]
)
async def test_registering_a_channel_at_a_refused_address_is_a_422_with_the_reason(
    url: str, strict_scheduler: httpx.AsyncClient, issuer: LocalIssuer
) -> None:
    account = {"connector": "webhook", "base_url": url, "secret": "whsec_" + "QUJD" * 8}
    response = await strict_scheduler.put(
        "/publishing/channels/blog", json=account, headers=bearer(issuer, "acme", Role.ADMIN)
    )
    assert response.status_code == 422, response.text
    assert "base_url" in response.json()["message"], response.text


async def test_registering_a_source_at_a_refused_address_is_a_422_with_the_reason(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = IngestSettings(**settings_for(infra, unique_name("ingest"), issuer), outbound=OFF)
    async with running(create_ingest_app(settings)) as client:
        for config in (
            {"platform": "rss", "feed_url": METADATA_URL, "keywords": ["acme"]},
            {"platform": "mastodon", "base_url": "http://127.0.0.1:9", "access_token": "t"},
            {"platform": "bluesky", "jetstream_url": "ws://10.0.0.7/subscribe", "keywords": ["a"]},
        ):
            response = await client.post(
                "/sources",
                json={"name": "feed", "config": config},
                headers=bearer(issuer, "acme", Role.ADMIN),
            )
            assert response.status_code == 422, response.text
            assert "config." in response.json()["message"], response.text
