"""Fault tests that break Kafka or the store get their own: the session's are shared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.pytest_plugin import STACK_SECRET
from ensemble_devtools.stack import Stack
from support.infra_faults import OwnInfra


@pytest.fixture
def own_infra(tmp_path: Path) -> Iterator[OwnInfra]:
    own = OwnInfra.start(tmp_path / "infra")
    yield own
    own.stop()


@pytest.fixture
def own_stack(
    own_infra: OwnInfra, tmp_path: Path, issuer: LocalIssuer
) -> Iterator[Callable[..., Stack]]:
    """Stacks of service processes on this test's own Kafka and store."""
    stacks: list[Stack] = []

    def make(**overrides: object) -> Stack:
        stack = Stack(
            infra=own_infra.infra,
            log_dir=tmp_path / f"logs-{len(stacks)}",
            secret=STACK_SECRET,
            pinned_jwks=issuer.jwks_json(),
            **overrides,  # type: ignore[arg-type]
        )
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()
