"""The local front door: Caddy in front of a stack's processes (one URL for people, links built
on it), and Mailpit catching the email they send."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.local_caddy import LocalProxy
from ensemble_devtools.local_mailpit import LocalMailpit
from ensemble_devtools.proxy_config import FrontDoor, Upstreams
from ensemble_devtools.stack import Stack

HEADER = """Ensemble's front door for `./dev up`, rendered from the processes that run
(ensemble_devtools.proxy_config). Rewritten at every start: edit the code, not this file."""


@dataclass
class LocalFrontDoor:
    """Start the mail catcher first (the services need its address), then the stack, then the
    proxy (it needs the replicas' ports): `mail_env()`, `Stack(...).start_all()`, `open(stack)`."""

    state_dir: Path
    port: int
    mailpit: LocalMailpit | None = None
    pid_dir: Path | None = None
    log_dir: Path | None = None
    _started: list[processes.Managed] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log(self, name: str) -> Path | None:
        return self.log_dir / f"{name}.log" if self.log_dir else None

    def mail_env(self) -> dict[str, str]:
        """Starts the mail catcher if there is one: the settings that send email to it."""
        if self.mailpit is None:
            return {}
        self._started.append(
            self.mailpit.start(pid_dir=self.pid_dir, log_path=self._log("mailpit"))
        )
        return self.mailpit.smtp_env()

    def plan(self, stack: Stack) -> FrontDoor:
        return FrontDoor(
            site=f"http://:{self.port}",
            bind="127.0.0.1",
            services={name: Upstreams.at(*found) for name, found in stack.upstreams().items()},
            mail=Upstreams.at(self.mailpit.ui_address) if self.mailpit else None,
            global_options=("admin off", "persist_config off"),
            header=HEADER,
        )

    def open(self, stack: Stack) -> None:
        """The proxy, in front of the stack's replicas as they run now."""
        proxy = LocalProxy(self.state_dir / "proxy", self.port)
        self._started.append(
            proxy.start(self.plan(stack), pid_dir=self.pid_dir, log_path=self._log("proxy"))
        )

    def stop(self) -> None:
        while self._started:
            self._started.pop().stop()
