"""The services as real processes (uvicorn), on given infrastructure."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ensemble_devtools import processes
from ensemble_devtools.infra import Infra

SERVICES = ("ingest", "feedback", "scheduler", "notify", "insights")


@dataclass
class Service:
    name: str
    port: int
    process: processes.Managed
    chosen_port: bool = False  # picked by us, so another free one will do
    extra_env: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        """Ready, and really this service: another process on the port would answer too."""
        try:
            health = httpx.get(f"{self.url}/healthz", timeout=2).json()
            if health.get("service") != self.name:
                return False
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except (httpx.HTTPError, ValueError, AttributeError):
            return False


@dataclass
class Stack:
    """Starts services with one topic prefix and one database per service, so stacks don't mix."""

    infra: Infra
    log_dir: Path
    auth_secret: str
    topic_prefix: str = "ensemble."
    database_prefix: str = "ensemble_"
    pid_dir: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

    def environment(
        self, name: str, port: int, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return {
            **self.infra.env(),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "ENSEMBLE_AUTH_SECRET": self.auth_secret,
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            f"{name.upper()}_DATABASE": f"{self.database_prefix}{name}",
            f"{name.upper()}_LOG_DATABASE": f"{self.database_prefix}{name}_log",  # insights
            "PYTHONUNBUFFERED": "1",
            **self.env,
            **(extra or {}),
        }

    def start(
        self, name: str, *, port: int | None = None, env: Mapping[str, str] | None = None
    ) -> Service:
        chosen = port is None
        port = port or processes.free_port()
        process = processes.start(
            name,
            [sys.executable, "-m", f"ensemble_{name}"],
            log_path=self.log_dir / f"{name}.log",
            env=self.environment(name, port, env),
            pid_dir=self.pid_dir,
        )
        service = Service(name, port, process, chosen, dict(env or {}))
        self.services[name] = service
        return service

    def wait_ready(self, *names: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        for name in names or tuple(self.services):
            service = self.services[name]
            rebinds = 0
            while not service.process.alive() or not service.ready():
                if not service.process.alive():
                    log = service.process.log_tail(lines=5)
                    if service.chosen_port and "address already in use" in log and rebinds < 3:
                        rebinds += 1
                        # Someone took the free port between our check and the bind.
                        service = self.start(name, env=service.extra_env)
                        continue
                    raise RuntimeError(f"{name} exited:\n{log}")
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{name} not ready in {timeout:.0f}s:\n{service.process.log_tail()}"
                    )
                time.sleep(0.25)

    def start_all(self, ports: Mapping[str, int] | None = None) -> None:
        given = dict(ports or {})
        chosen = {name: given.get(name) or processes.free_port() for name in SERVICES}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in chosen.items()}
        links = {  # services that put links to themselves (or feedback) in what they send
            "scheduler": {"SCHEDULER_PUBLIC_URL": urls["scheduler"]},
            "notify": {
                "NOTIFY_PUBLIC_URL": urls["notify"],
                "NOTIFY_FEEDBACK_PUBLIC_URL": urls["feedback"],
            },
            "insights": {"INSIGHTS_PUBLIC_URL": urls["insights"]},
        }
        for name in SERVICES:
            service = self.start(name, port=chosen[name], env=links.get(name))
            service.chosen_port = name not in given  # a taken free port may be rebound
        self.wait_ready(*SERVICES)

    def stop(self, name: str) -> None:
        service = self.services.pop(name, None)
        if service is not None:
            service.process.stop()

    def stop_all(self) -> None:
        for name in reversed(list(self.services)):
            self.stop(name)
