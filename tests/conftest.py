"""Markers by folder (tests/unit → unit, component → component, e2e → e2e, faults → fault),
and the environment every test runs in."""

from __future__ import annotations

import os

import pytest

# The tests' receivers, fake platforms and mail servers listen on 127.0.0.1: outgoing requests
# may reach private addresses here (and in the service processes the tests start), never by
# default. Tests that show the refusal build their settings with it off.
os.environ.setdefault("ENSEMBLE_ALLOW_PRIVATE_URLS", "true")
# Tests poll and fuzz faster than a person reads: no per-person read limit here, except in the
# test that shows it (tests/component/shared/test_shared_read_limits.py).
os.environ.setdefault("ENSEMBLE_HTTP_READ_RATE_LIMIT", "")

_MARKERS = {"unit": "unit", "component": "component", "e2e": "e2e", "faults": "fault"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The fault tests first: on two workers their group (~20 minutes on one worker) starts
    # at once while the other worker takes the rest, instead of being the run's long tail.
    items.sort(key=lambda item: "/tests/faults/" not in str(item.path))
    for item in items:
        for folder, marker in _MARKERS.items():
            if f"/tests/{folder}/" in str(item.path):
                item.add_marker(getattr(pytest.mark, marker))
