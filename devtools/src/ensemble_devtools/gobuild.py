"""Go programs built once from the Go module proxy into the cache (FerretDB, Caddy, Mailpit,
the compose plugin): none of them is in Debian at the version we need, and Go builds them
reproducibly from a version and a checksum database.

`go install module@version` refuses modules whose go.mod has replace or exclude directives
(compose) and builds releases without their generated files (FerretDB's version.txt,
Mailpit's web UI), so a module's source is copied out of the module cache, prepared, and built
where it stands.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ensemble_devtools.paths import cache_dir

Prepare = Callable[[Path], None]


def _go_env() -> dict[str, str]:
    return {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}


def require_go(what: str) -> None:
    if shutil.which("go") is None:
        raise RuntimeError(f"`go` is needed to build {what} (the Go module proxy serves it)")


def module_source(module: str, version: str) -> Path:
    """The module's source in the (read-only) module cache, downloaded through the Go proxy."""
    listing = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"],
        check=True,
        capture_output=True,
        env=_go_env(),
    )
    return Path(json.loads(listing.stdout)["Dir"])


@dataclass(frozen=True)
class GoProgram:
    """One binary: either a release module built in its own tree, or a main package of ours
    (`source`, with its go.mod and go.sum) that imports the modules it needs."""

    name: str
    version: str
    package: str = "."
    module: str | None = None
    source: Path | None = None
    ldflags: Sequence[str] = ()
    prepare: Prepare | None = field(default=None, compare=False)

    @property
    def binary(self) -> Path:
        return cache_dir() / "bin" / f"{self.name}-{self.version}"

    def provision(self) -> Path:
        """The binary, built once: later calls return the cached file at once."""
        if self.binary.exists():
            return self.binary
        require_go(self.name)
        origin = self.source or module_source(str(self.module), self.version)
        self.binary.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir()) as work:
            tree = Path(work) / self.name
            shutil.copytree(origin, tree)
            for path in [tree, *tree.rglob("*")]:  # the module cache is read-only
                path.chmod(path.stat().st_mode | 0o200)
            if self.prepare is not None:
                self.prepare(tree)
            partial = self.binary.with_suffix(".partial")
            flags = " ".join(["-s", "-w", *self.ldflags])
            subprocess.run(
                ["go", "build", "-trimpath", f"-ldflags={flags}", "-o", str(partial), self.package],
                cwd=tree,
                check=True,
                env=_go_env(),
            )
            partial.rename(self.binary)
        return self.binary
