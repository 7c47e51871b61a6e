"""Mailpit, the development mail catcher: every email the services send lands here, readable in
a browser at /dev/mail/ through the front door.

The Go module ships without its web UI (the release builds it with npm), so the UI is built
from the module's sources with npm first. Our resources/mailpit-ui holds the module's
package.json with one change, rapidoc ^9.3.8 instead of ^12 (rapidoc only draws Mailpit's own API
documentation page; 12.x is not on every npm registry), and the lock file resolved from it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.gobuild import GoProgram
from ensemble_devtools.paths import RESOURCES
from ensemble_devtools.proxy_config import MAIL_PATH

MAILPIT_MODULE = "github.com/axllent/mailpit"
MAILPIT_VERSION = "v1.33.1"


def _build_web_ui(tree: Path) -> None:
    if shutil.which("npm") is None:
        raise RuntimeError("`npm` (Node.js 20+) is needed to build Mailpit's web UI")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(RESOURCES / "mailpit-ui" / name, tree / name)
    quiet = ["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    # `npm ci` refuses this lock: optional per-platform packages missing from the registry were
    # skipped when it was made. `npm install` takes the locked versions all the same.
    subprocess.run(["npm", "install", "--no-save", *quiet], cwd=tree, check=True)
    subprocess.run(["npm", "run", "package"], cwd=tree, check=True, capture_output=True)
    if not (tree / "server" / "ui" / "dist" / "app.js").exists():
        raise RuntimeError("Mailpit's web UI was not built (server/ui/dist/app.js is missing)")


MAILPIT = GoProgram(
    "mailpit",
    MAILPIT_VERSION,
    module=MAILPIT_MODULE,
    prepare=_build_web_ui,
    ldflags=(f"-X {MAILPIT_MODULE}/config.Version={MAILPIT_VERSION}",),
)


def provision() -> Path:
    """The mailpit binary with its web UI, built once into the cache."""
    return MAILPIT.provision()


@dataclass
class LocalMailpit:
    """SMTP and the web UI on loopback ports; the UI serves under MAIL_PATH, as the proxy
    forwards it (path kept)."""

    data_dir: Path
    smtp_port: int
    ui_port: int

    @property
    def ui_address(self) -> str:
        return f"127.0.0.1:{self.ui_port}"

    def smtp_env(self) -> dict[str, str]:
        """What points the services' email at the catcher."""
        return {"NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": str(self.smtp_port)}

    def start(
        self, *, pid_dir: Path | None = None, log_path: Path | None = None
    ) -> processes.Managed:
        binary = provision()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return processes.start_listening(
            "mailpit",
            [
                str(binary),
                f"--listen={self.ui_address}",
                f"--smtp=127.0.0.1:{self.smtp_port}",
                f"--webroot={MAIL_PATH}/",
                f"--database={self.data_dir / 'mailpit.db'}",
                "--disable-version-check",
            ],
            port=self.ui_port,
            log_path=log_path or self.data_dir / "mailpit.log",
            pid_dir=pid_dir,
        )
