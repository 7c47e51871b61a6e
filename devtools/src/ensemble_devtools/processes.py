"""Processes the dev stack starts itself: started in their own session, stopped by their PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_handed_out: set[int] = set()


def free_port() -> int:
    """A loopback port free now and never handed out before by this process (the OS may give
    the same ephemeral port twice in a row, and two services must not race for one)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def stop_pid(pid: int, *, timeout: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL it if it has not gone within `timeout`."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


@dataclass
class Managed:
    """One started process, its log file and its PID file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    pid_path: Path | None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, *, timeout: float = 15.0) -> None:
        if self.alive():
            stop_pid(self.pid, timeout=timeout)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=1)
        if self.pid_path is not None:
            self.pid_path.unlink(missing_ok=True)

    def kill9(self) -> None:
        """The crash a fault test wants: no shutdown hooks, nothing flushed."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""


def start(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    pid_dir: Path | None = None,
) -> Managed:
    """Start `argv` in a new session (so it and its children stop together), logging to a file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,
        )
    pid_path = None
    if pid_dir is not None:
        pid_dir.mkdir(parents=True, exist_ok=True)
        pid_path = pid_dir / f"{name}.pid"
        pid_path.write_text(str(popen.pid))
    return Managed(name=name, popen=popen, log_path=log_path, pid_path=pid_path)


def start_listening(
    name: str,
    argv: Sequence[str],
    *,
    port: int,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    pid_dir: Path | None = None,
    timeout: float = 30,
) -> Managed:
    """`start`, then wait until it listens on `port`; stopped, with its log's end in the error,
    if it exits or does not listen in time."""
    managed = start(name, argv, log_path=log_path, env=env, pid_dir=pid_dir)
    try:
        wait_until(
            lambda: port_open(port) or not managed.alive(),
            timeout=timeout,
            what=f"{name} to listen",
        )
    except TimeoutError:
        managed.stop()
        raise
    if not managed.alive():
        raise RuntimeError(f"{name} exited at start:\n{managed.log_tail()}")
    return managed
