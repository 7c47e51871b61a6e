"""The client's address behind proxies: X-Forwarded-For, believed only from configured trusted
proxies. Feedback's write limits and identity's sign-in limits and audit use the same rule."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> list[Network]:
    """Trusted proxies as networks; a bare address is a /32 (or /128). ValueError if malformed."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_ip(peer: str | None, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The socket peer, unless it is a trusted proxy; then the nearest X-Forwarded-For hop that
    is not itself trusted (right to left: hops on the left are whatever the client sent)."""
    address = peer or "unknown"
    if not _trusted(address, trusted):
        return address
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed hop: trust nothing further left
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address
