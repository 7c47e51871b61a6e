"""Where the dev stack keeps things: a cache shared by runs, and per-checkout state."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The checkout holding this package (devtools/src/ensemble_devtools/paths.py)."""
    return Path(__file__).resolve().parents[3]


def cache_dir() -> Path:
    """Downloaded and built tools (Kafka jars, FerretDB binary); survives between runs."""
    base = os.environ.get("ENSEMBLE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ensemble"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_dir() -> Path:
    """This checkout's running stack: PID files, logs, data, the dev auth secret."""
    path = Path(os.environ.get("ENSEMBLE_STATE") or repo_root() / ".ensemble")
    path.mkdir(parents=True, exist_ok=True)
    return path


RESOURCES = Path(__file__).resolve().parent / "resources"
