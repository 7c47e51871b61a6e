"""Caddy, the front door: built from the Go module proxy (Debian has 2.6) with the standard
modules the official binary and image ship, and run in front of the local processes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.gobuild import GoProgram
from ensemble_devtools.paths import RESOURCES
from ensemble_devtools.proxy_config import FrontDoor

CADDY_VERSION = "v2.11.9"  # resources/caddy/go.mod pins the same
CADDY = GoProgram("caddy", CADDY_VERSION, source=RESOURCES / "caddy")


def provision() -> Path:
    """The caddy binary, built once into the cache (our main package, pinned by its go.sum)."""
    return CADDY.provision()


@dataclass
class LocalProxy:
    """Caddy on a loopback port, its Caddyfile and state under `config_dir`."""

    config_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def caddyfile(self) -> Path:
        return self.config_dir / "Caddyfile"

    def start(
        self, door: FrontDoor, *, pid_dir: Path | None = None, log_path: Path | None = None
    ) -> processes.Managed:
        binary = provision()
        self.config_dir.mkdir(parents=True, exist_ok=True)
        self.caddyfile().write_text(door.render())
        return processes.start_listening(
            "proxy",
            [str(binary), "run", "--config", str(self.caddyfile()), "--adapter", "caddyfile"],
            log_path=log_path or self.config_dir / "proxy.log",
            # Caddy keeps certificates and autosaved config under XDG dirs: ours, not $HOME's.
            env={
                "XDG_DATA_HOME": str(self.config_dir / "data"),
                "XDG_CONFIG_HOME": str(self.config_dir / "config"),
            },
            port=self.port,
            pid_dir=pid_dir,
        )
