"""pytest fixtures for the real stack: Kafka and a MongoDB-wire store found or provisioned once
per session, fresh names per test, the services as processes."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ensemble_devtools.infra import Infra, resolve
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack

STACK_SECRET = "test-secret-" + secrets.token_hex(24)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Kafka and the store: from env, Docker, or local processes (stopped at session end)."""
    found = resolve(tmp_path_factory.mktemp("infra"))
    yield found
    found.stop()


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Short unique names (topic prefixes, databases, group ids) so tests never share state."""

    def make(kind: str) -> str:
        return f"t{secrets.token_hex(4)}_{kind}"

    return make


@pytest.fixture(scope="session")
def issuer() -> LocalIssuer:
    """Signs access tokens as identity does, with a key made for this session; every service
    the tests start trusts its JWKS (`issuer.settings()`, or ENSEMBLE_AUTH_JWKS)."""
    return LocalIssuer()


@pytest.fixture
def stack_factory(
    infra: Infra, tmp_path: Path, issuer: LocalIssuer
) -> Iterator[Callable[..., Stack]]:
    """Build stacks of service processes; every one started is stopped after the test. They
    trust the session's issuer, and the identity they run once it is started."""
    stacks: list[Stack] = []

    def make(**overrides: object) -> Stack:
        tag = secrets.token_hex(4)
        stack = Stack(
            infra=infra,
            log_dir=tmp_path / f"logs-{tag}",
            secret=STACK_SECRET,
            pinned_jwks=issuer.jwks_json(),
            topic_prefix=f"t{tag}.",
            database_prefix=f"t{tag}_",
            **overrides,  # type: ignore[arg-type]
        )
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()
