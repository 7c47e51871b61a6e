"""The Docker engine `./dev compose-check` talks to: the one DOCKER_HOST (or the default socket)
names, else a private dockerd it starts and stops itself.

The private engine listens on its own socket with its own data root and never on the default
socket: while it runs, nothing else on the machine (another checkout's test suite, which picks
testcontainers when an engine answers there) sees a Docker engine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.paths import cache_dir, state_dir

PRIVATE_RUN_DIR = Path("/run/ensemble-docker")  # short: unix socket paths are limited
PRIVATE_SOCKET = f"unix://{PRIVATE_RUN_DIR / 'docker.sock'}"


def answers(env: Mapping[str, str]) -> bool:
    """Whether an engine answers with this environment (DOCKER_HOST, or the default socket)."""
    import docker

    try:
        docker.from_env(environment={**os.environ, **env}, timeout=5).ping()
    except Exception:
        return False
    return True


def _start_private() -> processes.Managed:
    if shutil.which("dockerd") is None or os.geteuid() != 0:
        raise RuntimeError(
            "No Docker engine answers. Set DOCKER_HOST to one, or install dockerd "
            "(`apt-get install docker.io` on Debian) and run as root: ./dev compose-check then "
            f"starts a private engine on {PRIVATE_SOCKET} for the duration of the check."
        )
    PRIVATE_RUN_DIR.mkdir(parents=True, exist_ok=True)
    managed = processes.start(
        "dockerd",
        [
            "dockerd",
            f"--host={PRIVATE_SOCKET}",
            f"--data-root={cache_dir() / 'docker'}",
            f"--exec-root={PRIVATE_RUN_DIR / 'exec'}",
            f"--pidfile={PRIVATE_RUN_DIR / 'dockerd.pid'}",
        ],
        log_path=state_dir() / "logs" / "dockerd.log",
    )
    deadline = time.monotonic() + 60
    while not answers({"DOCKER_HOST": PRIVATE_SOCKET}):
        if not managed.alive() or time.monotonic() > deadline:
            managed.stop()
            raise RuntimeError(f"the private dockerd did not start:\n{managed.log_tail()}")
        time.sleep(0.5)
    return managed


@contextlib.contextmanager
def engine() -> Iterator[dict[str, str]]:
    """The environment that reaches an engine: the caller's DOCKER_HOST (if any) when it
    answers, else the private engine's."""
    if answers({}):
        given = os.environ.get("DOCKER_HOST")
        yield {"DOCKER_HOST": given} if given else {}
        return
    private = {"DOCKER_HOST": PRIVATE_SOCKET}
    if answers(private):  # left running by an earlier, interrupted check, or by hand
        yield private
        return
    started = _start_private()
    try:
        yield private
    finally:
        started.stop(timeout=60)
