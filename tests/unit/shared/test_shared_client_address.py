"""Which address a request comes from, through trusted proxies only."""

from __future__ import annotations

from ensemble_shared.client_address import client_ip, networks

CONSOLE = networks(["10.0.0.0/24"])


def test_an_untrusted_peer_is_the_client_whatever_it_forwards() -> None:
    assert client_ip("203.0.113.5", ["1.2.3.4"], CONSOLE) == "203.0.113.5"


def test_a_trusted_peer_forwards_the_nearest_untrusted_hop() -> None:
    assert client_ip("10.0.0.2", ["6.6.6.6, 198.51.100.9"], CONSOLE) == "198.51.100.9"
    assert client_ip("10.0.0.2", ["198.51.100.9, 10.0.0.3"], CONSOLE) == "198.51.100.9"


def test_a_malformed_hop_stops_the_trust() -> None:
    assert client_ip("10.0.0.2", ["198.51.100.9, bogus"], CONSOLE) == "10.0.0.2"
