"""Markers by folder: tests/unit → unit, component → component, e2e → e2e, faults → fault."""

from __future__ import annotations

import pytest

_MARKERS = {"unit": "unit", "component": "component", "e2e": "e2e", "faults": "fault"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for folder, marker in _MARKERS.items():
            if f"/tests/{folder}/" in str(item.path):
                item.add_marker(getattr(pytest.mark, marker))
