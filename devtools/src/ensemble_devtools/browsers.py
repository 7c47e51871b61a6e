"""A real browser for the page tests: Debian's Chromium (installed by apt when missing and we
are root, as in CI), Playwright's launch arguments for it, and axe-core from npm, cached.

Playwright cannot download its own browsers here, so it drives `/usr/bin/chromium`. axe-core
is installed once into the shared cache (never into the repository) and injected into pages.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ensemble_devtools import npm

CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserUnavailable(RuntimeError):
    """Chromium is missing and cannot be installed here (not root, or apt failed)."""


def chromium() -> Path:
    """Debian's Chromium, installed with apt-get when missing and running as root."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise BrowserUnavailable(
            f"{CHROMIUM} is missing; install it as root: apt-get install -y chromium"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        done = subprocess.run(step, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise BrowserUnavailable(f"{' '.join(step)} failed:\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists():
        raise BrowserUnavailable(f"apt-get installed chromium but {CHROMIUM} is missing")
    return CHROMIUM


def axe_script() -> Path:
    """axe-core's browser bundle (`axe.min.js`), installed by npm into the cache once."""
    return npm.installed("axe-core", AXE_VERSION) / "node_modules" / "axe-core" / "axe.min.js"
