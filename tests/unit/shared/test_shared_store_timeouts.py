"""Every store call is bounded, and the bound stays under the outbox relay's orphan grace: a
stalled writer fails before the relay may drop the pointer that guards its event."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from ensemble_shared.settings import AuthSettings, MongoSettings, ServiceSettings
from ensemble_shared.storage import create_client

AUTH = AuthSettings(secret="s" * 32)


def service(**fields: object) -> ServiceSettings:
    return ServiceSettings(database="d", auth=AUTH, **fields)  # type: ignore[arg-type]


def test_by_default_two_store_calls_fail_long_before_the_orphan_grace() -> None:
    settings = service()
    assert settings.mongo.call_bound_seconds == (10 + 2 * (5 + 5 + 30))
    assert 2 * settings.mongo.call_bound_seconds < settings.outbox_orphan_grace_seconds


def test_the_client_applies_every_bound() -> None:
    client = create_client(MongoSettings(url="mongodb://127.0.0.1:1"))
    options: Any = client.options  # motor's stubs type it as a method; it is a property
    assert options.server_selection_timeout == 5
    assert options.pool_options.connect_timeout == 5
    assert options.pool_options.socket_timeout == 30
    assert options.pool_options.wait_queue_timeout == 10


def test_store_timeouts_that_could_outlast_the_orphan_grace_are_refused() -> None:
    with pytest.raises(ValidationError, match="orphan grace"):
        service(mongo=MongoSettings(socket_timeout_ms=300_000))
    with pytest.raises(ValidationError, match="orphan grace"):
        service(outbox_orphan_grace_seconds=60)


def test_a_longer_orphan_grace_allows_longer_store_calls() -> None:
    settings = service(
        mongo=MongoSettings(socket_timeout_ms=300_000), outbox_orphan_grace_seconds=1_800
    )
    assert settings.mongo.call_bound_seconds == 630
