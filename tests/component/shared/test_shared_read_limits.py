"""Reads are bounded per person: beyond the window, 429 with Retry-After; other people, writes
and unauthenticated probes are not counted against that person."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from ensemble_shared.auth import Role
from ensemble_shared.settings import HttpSettings
from support.apps import bearer, running, settings_for


def refusals(metrics: str) -> float:
    found = re.search(r"^ensemble_reads_refused_total (\S+)$", metrics, re.M)
    return float(found.group(1)) if found else 0.0


async def test_one_person_reading_too_fast_is_told_when_to_retry(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = IngestSettings(
        **settings_for(infra, unique_name("read_limits"), issuer),
        http=HttpSettings(read_rate_limit="3/minute"),
    )
    alice = bearer(issuer, "acme", Role.ADMIN)
    bob = bearer(issuer, "acme", Role.ADMIN, subject="bob")
    async with running(create_app(settings)) as client:
        created = await client.post("/sources", json={"name": "forum"}, headers=alice)
        assert created.status_code == 201  # a write is not a read
        for _ in range(3):
            assert (await client.get("/sources", headers=alice)).status_code == 200
        before = refusals((await client.get("/metrics")).text)  # one counter per process
        refused = await client.get("/mentions", headers=alice)
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert (await client.get("/sources", headers=bob)).status_code == 200  # per person
        assert (await client.get("/sources")).status_code == 401  # no token, nothing counted
        assert (await client.get("/healthz")).status_code == 200
        assert refusals((await client.get("/metrics")).text) == before + 1


def test_a_limit_that_cannot_be_read_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="read_rate_limit"):
        HttpSettings(read_rate_limit="many per hour")
    assert HttpSettings(read_rate_limit="").read_rate_limit == ""
