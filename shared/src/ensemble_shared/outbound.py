"""Every request the system makes to a URL someone gave it goes through here (SSRF defence).

Integrator endpoints, chat webhooks, Mastodon instances, feeds, Jetstream and publishing
webhooks are URLs people type. Without care, `http://169.254.169.254/` (cloud credentials) or
`http://127.0.0.1:27017/` would be fetched from inside the deployment. So:

- a host is resolved, and every address it resolves to is checked (loopback, private,
  link-local, multicast, unspecified, reserved and cloud-metadata addresses are refused); plain
  HTTP then connects to the checked address (the URL is pinned to it, Host keeps the name), so
  DNS cannot answer differently between the check and the connection. HTTPS keeps the name:
  pinning would share pooled TLS connections between names, and a rebound name cannot pass
  certificate verification at an internal address;
- the check runs in the transport, so it runs again for every redirect;
- every client has a timeout and a cap on the size of a response body.

`ENSEMBLE_ALLOW_PRIVATE_URLS=true` lets private and loopback addresses through, for local
development and the tests (whose receivers listen on 127.0.0.1); metadata, multicast and
unspecified addresses stay refused even then.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx

from ensemble_shared.errors import Invalid
from ensemble_shared.settings import OutboundSettings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
"""Cloud instance metadata services (AWS, ECS, Alibaba, AWS over IPv6)."""


class AddressRefused(ValueError):
    """The URL's host is, or resolves to, an address the system never calls."""


class Unresolvable(AddressRefused):
    """The name does not resolve now: maybe later (a send is retried, a registration kept)."""


class ResponseTooLarge(httpx.HTTPError):
    """The response body is larger than the cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the response is larger than {limit} bytes")


def refusal(address: IpAddress, *, allow_private: bool) -> str | None:
    """Why `address` may not be called, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA:
        return f"{address} is a cloud metadata address"
    if address.is_unspecified or address.is_multicast:
        return f"{address} is not a unicast address"
    if address.is_global:
        return None
    if allow_private and (address.is_private or address.is_loopback):
        return None
    return f"{address} is a loopback, private, link-local or reserved address"


async def resolve(host: str, port: int, *, allow_private: bool) -> IpAddress:
    """The address to connect to for `host`: every address it resolves to must be allowed."""
    try:
        literal: IpAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as exc:
            raise Unresolvable(f"{host} does not resolve ({exc})") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise Unresolvable(f"{host} does not resolve")
    for address in addresses:
        reason = refusal(address, allow_private=allow_private)
        if reason is not None:
            raise AddressRefused(f"{host}: {reason}")
    return addresses[0]


async def check_url(url: str, settings: OutboundSettings) -> None:
    """AddressRefused unless `url` is http(s) and its host may be called (for registration:
    a person giving such a URL gets a 422 with the reason)."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise AddressRefused(f"not a URL ({exc})") from None
    if parsed.scheme not in ("http", "https", "ws", "wss") or not parsed.host:
        raise AddressRefused("only http(s) and ws(s) URLs with a host are called")
    port = parsed.port or (443 if parsed.scheme in ("https", "wss") else 80)
    await resolve(parsed.host, port, allow_private=settings.allow_private_urls)


async def require_callable(url: str, settings: OutboundSettings, *, field: str) -> None:
    """Invalid (a 422 naming `field` and the reason) unless the system may call `url`: what a
    person registering an endpoint, a channel or a source is told at once. A name that does
    not resolve now is accepted: every call checks it again."""
    try:
        await check_url(url, settings)
    except Unresolvable:
        return  # checked again at every call; DNS may be down right now
    except AddressRefused as exc:
        raise Invalid(f"{field}: {exc}") from None


class _Capped(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._stream:
            seen += len(chunk)
            if seen > self._limit:
                raise ResponseTooLarge(self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class GuardedTransport(httpx.AsyncHTTPTransport):
    """Checks and pins the address of every request (redirects included), caps the body."""

    def __init__(
        self, settings: OutboundSettings, max_response_bytes: int | None, **options: Any
    ) -> None:
        super().__init__(**options)
        self._settings = settings
        self._limit = max_response_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            address = await resolve(host, port, allow_private=self._settings.allow_private_urls)
        except Unresolvable as exc:
            raise httpx.ConnectError(str(exc), request=request) from None  # retried
        except AddressRefused as exc:
            raise RefusedRequest(str(exc), request=request) from None
        if request.url.scheme == "http":
            request.url = request.url.copy_with(host=str(address))
        response = await super().handle_async_request(request)
        if self._limit is None or request.method == "HEAD":  # no body: its length is news
            return response
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._limit:
            await response.aclose()
            raise ResponseTooLarge(self._limit)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Capped(response.stream, self._limit)
        return response


class RefusedRequest(httpx.RequestError):
    """A request to an address the system never calls: permanent, retrying cannot help."""


def outbound_client(
    settings: OutboundSettings,
    *,
    timeout: float | httpx.Timeout,
    follow_redirects: bool = False,
    capped: bool = True,
    limits: httpx.Limits | None = None,
) -> httpx.AsyncClient:
    """The one way to build an HTTP client for URLs from outside. `capped=False` is for
    endless streams only (Mastodon's streaming API), whose connectors bound each event."""
    transport = GuardedTransport(
        settings,
        settings.max_response_bytes if capped else None,
        **({"limits": limits} if limits is not None else {}),
    )
    return httpx.AsyncClient(
        transport=transport, timeout=timeout, follow_redirects=follow_redirects
    )
