"""npm packages the tests need (axe-core, an OIDC provider), installed once into the shared
cache with the machine's npm from its registry, never into the repository."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ensemble_devtools.paths import cache_dir


def installed(package: str, version: str) -> Path:
    """The folder holding `node_modules/<package>`, installed on first use."""
    home = cache_dir() / f"{package}-{version}"
    if (home / "node_modules" / package / "package.json").exists():
        return home
    staging = Path(tempfile.mkdtemp(prefix=f"{package}-", dir=cache_dir()))
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(staging),
            "--no-audit",
            "--no-fund",
            f"{package}@{version}",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    try:
        staging.rename(home)  # atomic: a concurrent install that finished first wins
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return home
