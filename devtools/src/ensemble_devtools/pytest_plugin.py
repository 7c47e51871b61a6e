"""pytest fixtures for the real stack: Kafka and a MongoDB-wire store found or provisioned once
per session, fresh names per test, the services as processes."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from ensemble_devtools import browsers, local_caddy, local_ferretdb, local_kafka, local_mailpit
from ensemble_devtools.infra import Infra, resolve
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack

T = TypeVar("T")

STACK_SECRET = "test-secret-" + secrets.token_hex(24)


GROUPS = (
    ("tests/faults/", "faults"),  # each kills and restarts processes: one at a time is load enough
    ("tests/e2e/test_console_", "console_stack"),
    ("tests/component/console/test_console_notifications.py", "ops"),
    ("tests/component/console/test_console_nav_unread.py", "ops"),
    ("tests/component/console/test_console_settings_admin.py", "ops"),
    ("tests/component/console/test_console_sources.py", "ops"),
)
"""Tests that run on one pytest-xdist worker together, by where they live: the users of a
session-scoped stack of service processes (`console_stack`, `ops`) start it once, not once per
worker. A test elsewhere using one of those stacks still works, at the cost of a second stack.
Any other test runs with the rest of its module (module-scoped stacks start once)."""


def group_of(nodeid: str) -> str:
    """The group a test runs in: its module when it belongs to none."""
    module = nodeid.split("::", 1)[0]
    return next((group for prefix, group in GROUPS if nodeid.startswith(prefix)), module)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """`--dist loadgroup` by GROUPS. (xdist's own marks-based grouping renames node ids, which
    pytest 9 no longer lets it do: every test went to any worker.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]

    class ByStack(LoadGroupScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return ByStack(config, log)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With workers (`-n`), fetch and build what the tests run once, here, before they start:
    workers doing it at once would race on the shared cache (and on apt's lock)."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    local_kafka.provision()
    local_ferretdb.provision()
    local_mailpit.provision()
    local_caddy.provision()
    browsers.chromium()
    browsers.axe_script()


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Kafka and the store: from env, Docker, or local processes (stopped at session end)."""
    found = resolve(tmp_path_factory.mktemp("infra"))
    yield found
    found.stop()


@pytest.fixture(autouse=True)
def _topics_dropped_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Delete the topics a test created on the session's broker once it ends. Every test makes
    its own prefix, so a whole suite would otherwise leave ~20,000 partitions behind: past the
    broker's open-file limit, and metadata every client reads grows with them. Session-scoped
    stacks are set up before this fixture, so their topics are kept."""
    if "infra" not in request.fixturenames:
        yield
        return
    bootstrap = request.getfixturevalue("infra").kafka_bootstrap
    before = _on_the_side(_topic_names(bootstrap))
    yield
    made = _on_the_side(_topic_names(bootstrap)) - before
    if made:
        _on_the_side(_delete_topics(bootstrap, sorted(made)))


def _on_the_side(work: Coroutine[object, object, T]) -> T:
    """Run `work` on its own loop in a thread: the tests' session loop is not disturbed."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def _topic_names(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {name for name in await admin.list_topics() if not name.startswith("__")}
    finally:
        await admin.close()


async def _delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.delete_topics(names, timeout_ms=60_000)
    finally:
        await admin.close()


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
