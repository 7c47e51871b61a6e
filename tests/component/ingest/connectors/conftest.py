"""Connectors against local fake platforms: no Kafka, no store, only the fakes' HTTP and sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The client the runner would lend a pulled connector."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client
