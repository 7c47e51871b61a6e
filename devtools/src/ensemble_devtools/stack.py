"""The services as real processes (uvicorn), on given infrastructure."""

from __future__ import annotations

import base64
import hashlib
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ensemble_devtools import processes
from ensemble_devtools.infra import Infra

SERVICES = ("ingest", "feedback", "scheduler", "notify", "identity", "console")


def dev_console_secret(auth_secret: str) -> str:
    """The console's CSRF key, derived from the stack's secret (development only)."""
    return hashlib.sha256(b"ensemble/console-secret/" + auth_secret.encode()).hexdigest()


def dev_key_encryption_key(auth_secret: str) -> str:
    """A Fernet key for identity's private keys, derived from the stack's secret: stable per
    checkout (the keys stored by the last run still decrypt), never used beyond development."""
    digest = hashlib.sha256(b"ensemble/identity-key-encryption/" + auth_secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


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
            "PYTHONUNBUFFERED": "1",
            **self._secrets(name),
            **self.env,
            **(extra or {}),
        }

    def _secrets(self, name: str) -> dict[str, str]:
        if name == "identity":
            return {"IDENTITY_KEY_ENCRYPTION_KEY": dev_key_encryption_key(self.auth_secret)}
        if name == "console":
            return {"CONSOLE_SECRET": dev_console_secret(self.auth_secret)}
        return {}

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
        console = urls["console"]  # where people open pages, until the proxy is in front
        links = {  # services that put links (to themselves, feedback, the console) in messages
            "scheduler": {
                "SCHEDULER_PUBLIC_URL": urls["scheduler"],
                "ENSEMBLE_PUBLIC_URL": console,
            },
            "identity": {"ENSEMBLE_PUBLIC_URL": console},
            "notify": {
                "NOTIFY_PUBLIC_URL": urls["notify"],
                "NOTIFY_FEEDBACK_PUBLIC_URL": urls["feedback"],
            },
            "console": {"ENSEMBLE_PUBLIC_URL": console, **console_backends(urls)},
        }
        for name in SERVICES:
            service = self.start(name, port=chosen[name], env=links.get(name))
            service.chosen_port = name not in given  # a taken free port may be rebound
        self.wait_ready(*SERVICES)

    def console_env(self) -> dict[str, str]:
        """What the console needs to reach the services this stack runs (start it last)."""
        urls = {name: service.url for name, service in self.services.items()}
        return console_backends(urls)

    def stop(self, name: str) -> None:
        service = self.services.pop(name, None)
        if service is not None:
            service.process.stop()

    def stop_all(self) -> None:
        for name in reversed(list(self.services)):
            self.stop(name)


def console_backends(urls: Mapping[str, str]) -> dict[str, str]:
    """The console's API base URLs (CONSOLE_<SERVICE>_URL) for the services given."""
    return {
        f"CONSOLE_{name.upper()}_URL": url
        for name, url in urls.items()
        if name in SERVICES and name != "console"
    }
