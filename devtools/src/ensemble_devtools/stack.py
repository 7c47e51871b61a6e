"""The services as real processes (uvicorn), one or more replicas each, on given infrastructure."""

from __future__ import annotations

import base64
import hashlib
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ensemble_devtools import processes
from ensemble_devtools.infra import Infra
from ensemble_devtools.proxy_config import public_urls

SERVICES = ("ingest", "feedback", "scheduler", "notify", "identity", "insights", "console")
MAX_REPLICAS = 8


def parse_scale(values: Sequence[str]) -> dict[str, int]:
    """`ingest=2,notify=3` (or several such values) as replicas per service."""
    scale: dict[str, int] = {}
    for item in (part.strip() for value in values for part in value.split(",")):
        if not item:
            continue
        name, _, count = item.partition("=")
        if name not in SERVICES:
            raise ValueError(f"unknown service {name!r} (one of {', '.join(SERVICES)})")
        if not count.isdigit() or not 1 <= int(count) <= MAX_REPLICAS:
            raise ValueError(f"{item!r}: replicas must be a number from 1 to {MAX_REPLICAS}")
        scale[name] = int(count)
    return scale


SECRET_KEYS = {"ingest", "feedback", "scheduler", "notify", "insights"}
"""Services that sign their links, or seal stored secrets, with `<SERVICE>_SECRET_KEY`."""
JWKS_PATH = "/.well-known/jwks.json"


def dev_secret(root: str, purpose: str) -> str:
    """One service's secret, derived from the stack's root secret (development only): stable
    per checkout, so links sent by the last run still verify."""
    return hashlib.sha256(f"ensemble/{purpose}/".encode() + root.encode()).hexdigest()


def dev_key_encryption_key(root: str) -> str:
    """A Fernet key for identity's private keys, derived from the stack's root secret: stable
    per checkout (the keys stored by the last run still decrypt), never used beyond development."""
    digest = hashlib.sha256(b"ensemble/identity-key-encryption/" + root.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def jwks_url(identity_url: str) -> str:
    return f"{identity_url}{JWKS_PATH}"


@dataclass
class Service:
    name: str
    port: int
    process: processes.Managed
    chosen_port: bool = False  # picked by us, so another free one will do
    extra_env: Mapping[str, str] = field(default_factory=dict)
    replica: int = 1

    @property
    def key(self) -> str:
        """Its name in `Stack.services`, PID files and logs: `ingest`, then `ingest-2`, …"""
        return replica_key(self.name, self.replica)

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
    secret: str  # the root every service's own secret is derived from (development only)
    topic_prefix: str = "ensemble."
    database_prefix: str = "ensemble_"
    pid_dir: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    # The front door's URL, when one runs: every link the services send is built on it.
    public_url: str | None = None
    # A JWKS document every service trusts besides identity's keys (tests: their own issuer).
    pinned_jwks: str | None = None

    def environment(
        self, name: str, port: int, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        return {
            **self.infra.env(),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            **self._keys(),
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            f"{name.upper()}_DATABASE": f"{self.database_prefix}{name}",
            f"{name.upper()}_LOG_DATABASE": f"{self.database_prefix}{name}_log",  # insights
            "PYTHONUNBUFFERED": "1",
            "ENSEMBLE_ALLOW_PRIVATE_URLS": "true",  # local development: receivers on 127.0.0.1
            **self._secrets(name),
            **self.env,
            **(extra or {}),
        }

    def _keys(self) -> dict[str, str]:
        """Where services find the keys of access tokens: the identity this stack runs (when
        started before them; `start_all` passes it to all), and the pinned document if any."""
        keys = {"ENSEMBLE_AUTH_JWKS": self.pinned_jwks} if self.pinned_jwks else {}
        identity = self.services.get("identity")
        if identity is not None:
            keys["ENSEMBLE_AUTH_JWKS_URL"] = jwks_url(identity.url)
        return keys

    def _secrets(self, name: str) -> dict[str, str]:
        if name == "identity":
            return {"IDENTITY_KEY_ENCRYPTION_KEY": dev_key_encryption_key(self.secret)}
        if name == "console":
            return {"CONSOLE_SECRET": dev_secret(self.secret, "console-secret")}
        if name in SECRET_KEYS:
            return {f"{name.upper()}_SECRET_KEY": dev_secret(self.secret, f"{name}-secret-key")}
        return {}

    def start(
        self,
        name: str,
        *,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        replica: int = 1,
    ) -> Service:
        chosen = port is None
        port = port or processes.free_port()
        key = replica_key(name, replica)
        process = processes.start(
            key,
            [sys.executable, "-m", f"ensemble_{name}"],
            log_path=self.log_dir / f"{key}.log",
            env=self.environment(name, port, env),
            pid_dir=self.pid_dir,
        )
        service = Service(name, port, process, chosen, dict(env or {}), replica)
        self.services[key] = service
        return service

    def wait_ready(self, *keys: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        for key in keys or tuple(self.services):
            service = self.services[key]
            name = service.name
            rebinds = 0
            while not service.process.alive() or not service.ready():
                if not service.process.alive():
                    log = service.process.log_tail(lines=5)
                    if service.chosen_port and "address already in use" in log and rebinds < 3:
                        rebinds += 1
                        # Someone took the free port between our check and the bind.
                        service = self.start(name, env=service.extra_env, replica=service.replica)
                        continue
                    raise RuntimeError(f"{name} exited:\n{log}")
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{name} not ready in {timeout:.0f}s:\n{service.process.log_tail()}"
                    )
                time.sleep(0.25)

    def start_all(
        self, ports: Mapping[str, int] | None = None, scale: Mapping[str, int] | None = None
    ) -> None:
        """Every service, `scale[name]` replicas each (one by default); the first replica takes
        `ports[name]` when given, the others free ports."""
        given = dict(ports or {})
        chosen = {name: given.get(name) or processes.free_port() for name in SERVICES}
        links = self._links(chosen)
        for name in SERVICES:
            for replica in range(1, (scale or {}).get(name, 1) + 1):
                port = chosen[name] if replica == 1 else None
                service = self.start(name, port=port, env=links, replica=replica)
                # a taken free port may be rebound
                service.chosen_port = replica > 1 or name not in given
        self.wait_ready()

    def _links(self, ports: Mapping[str, int]) -> dict[str, str]:
        """Public URLs for the links services send: the front door's, or else each service's own
        port (a stack without a proxy, as most tests run it)."""
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        backends = console_backends(urls)  # the console calls each service's first replica
        backends["ENSEMBLE_AUTH_JWKS_URL"] = jwks_url(urls["identity"])
        if self.public_url is not None:
            return {**public_urls(self.public_url), **backends}
        return {
            "ENSEMBLE_PUBLIC_URL": urls["console"],  # where people open pages
            "SCHEDULER_PUBLIC_URL": urls["scheduler"],
            "NOTIFY_PUBLIC_URL": urls["notify"],
            "NOTIFY_FEEDBACK_PUBLIC_URL": urls["feedback"],
            "INSIGHTS_PUBLIC_URL": urls["insights"],
            **backends,
        }

    def upstreams(self) -> dict[str, list[str]]:
        """Each running service's replicas, as host:port, for the proxy."""
        found: dict[str, list[str]] = {}
        for service in self.services.values():
            found.setdefault(service.name, []).append(f"127.0.0.1:{service.port}")
        return found

    def console_env(self) -> dict[str, str]:
        """What the console needs to reach the services this stack runs (start it last)."""
        urls = {service.name: service.url for service in self.services.values()}
        return console_backends(urls)

    def stop(self, key: str) -> None:
        service = self.services.pop(key, None)
        if service is not None:
            service.process.stop()

    def stop_all(self) -> None:
        for name in reversed(list(self.services)):
            self.stop(name)


def replica_key(name: str, replica: int) -> str:
    return name if replica == 1 else f"{name}-{replica}"


def console_backends(urls: Mapping[str, str]) -> dict[str, str]:
    """The console's API base URLs (CONSOLE_<SERVICE>_URL) for the services given."""
    return {
        f"CONSOLE_{name.upper()}_URL": url
        for name, url in urls.items()
        if name in SERVICES and name != "console"
    }
