"""Which addresses outgoing requests may reach: properties over every IPv4 and IPv6 address."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ensemble_shared.outbound import METADATA, AddressRefused, IpAddress, refusal, resolve

addresses = st.ip_addresses(v=4) | st.ip_addresses(v=6)


@given(addresses)
def test_only_global_unicast_addresses_are_called_by_default(address: IpAddress) -> None:
    allowed = refusal(address, allow_private=False) is None
    plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    target = plain or address
    assert allowed == (target.is_global and not target.is_multicast and target not in METADATA)


@given(addresses)
def test_allowing_private_addresses_never_allows_metadata_multicast_or_unspecified(
    address: IpAddress,
) -> None:
    plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    target = plain or address
    if target in METADATA or target.is_multicast or target.is_unspecified:
        assert refusal(address, allow_private=True) is not None
    if target.is_loopback or (target.is_private and target not in METADATA):
        assert (refusal(address, allow_private=True) is None) != (
            target.is_multicast or target.is_unspecified
        )


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "::1", "169.254.169.254", "10.0.0.1", "192.168.1.1", "fe80::1"]
)
async def test_literal_private_hosts_are_refused(host: str) -> None:
    with pytest.raises(AddressRefused):
        await resolve(host, 80, allow_private=False)


async def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    with pytest.raises(AddressRefused, match="localhost"):
        await resolve("localhost", 80, allow_private=False)
    assert (await resolve("localhost", 80, allow_private=True)).is_loopback
