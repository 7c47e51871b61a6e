"""Docker Compose v2 as `./dev compose-check` runs it: the machine's `docker compose` plugin when
there is one, else the plugin built from the Go module proxy into the cache (it runs standalone).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ensemble_devtools.gobuild import GoProgram

COMPOSE_MODULE = "github.com/docker/compose/v2"
COMPOSE_VERSION = "v2.40.3"
COMPOSE = GoProgram(
    "docker-compose",
    COMPOSE_VERSION,
    package="./cmd",
    module=COMPOSE_MODULE,
    ldflags=(f"-X {COMPOSE_MODULE}/internal.Version={COMPOSE_VERSION}",),
)


def command(env: Mapping[str, str]) -> list[str]:
    """How to run compose here: `docker compose`, or the cached standalone binary."""
    try:
        plugin = subprocess.run(
            ["docker", "compose", "version", "--short"],
            env={**os.environ, **env},
            capture_output=True,
            check=False,
            timeout=30,
        )
    except FileNotFoundError:
        plugin = None
    if plugin is not None and plugin.returncode == 0:
        return ["docker", "compose"]
    return [str(COMPOSE.provision())]


@dataclass
class Compose:
    """One compose project: its files, its name and the only environment it sees."""

    argv: Sequence[str]
    project_dir: Path
    files: Sequence[Path]
    project: str
    env: Mapping[str, str]
    env_file: Path | None = None  # instead of the project's .env

    def _argv(self, *args: str) -> list[str]:
        files = [arg for path in self.files for arg in ("-f", str(path))]
        env_file = ["--env-file", str(self.env_file)] if self.env_file else []
        return [
            *self.argv,
            *("--project-directory", str(self.project_dir), "-p", self.project),
            *files,
            *env_file,
            *args,
        ]

    def run(self, *args: str) -> None:
        subprocess.run(self._argv(*args), env=dict(self.env), cwd=self.project_dir, check=True)

    def output(self, *args: str) -> str:
        done = subprocess.run(
            self._argv(*args),
            env=dict(self.env),
            cwd=self.project_dir,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def containers(self) -> list[dict[str, Any]]:
        """`compose ps` of every container, running or not (one JSON object per line)."""
        lines = self.output("ps", "--all", "--format", "json").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def port(self, service: str, port: int) -> int:
        """The host port a service's container port is published on."""
        return int(self.output("port", service, str(port)).strip().rsplit(":", 1)[1])
