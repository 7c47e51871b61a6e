"""Finding Kafka and the store, three ways in order: env, Docker, or provisioned locally."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ensemble_devtools import docker_env
from ensemble_devtools.local_ferretdb import LocalFerretDB
from ensemble_devtools.local_kafka import LocalKafka
from ensemble_devtools.processes import free_port

log = logging.getLogger(__name__)


class Mode(StrEnum):
    GIVEN = "given"  # KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL were set
    DOCKER = "docker"  # testcontainers on a Docker engine
    LOCAL = "local"  # Kafka from Maven Central and FerretDB, as local processes


@dataclass
class Infra:
    mode: Mode
    kafka_bootstrap: str
    mongodb_url: str
    store: str  # "mongodb" or "ferretdb", for benchmark reports
    _stops: list[Callable[[], None]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap, "MONGODB_URL": self.mongodb_url}

    def stop(self) -> None:
        while self._stops:
            with contextlib.suppress(Exception):
                self._stops.pop()()


def from_env() -> Infra | None:
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongo:
        store = os.environ.get("ENSEMBLE_STORE_KIND", "mongodb")
        return Infra(Mode.GIVEN, kafka, mongo, store)
    return None


def start_local(
    data_dir: Path, *, pid_dir: Path | None = None, log_dir: Path | None = None
) -> Infra:
    """Kafka and FerretDB on free loopback ports, data under `data_dir`; stop() ends both."""
    infra = Infra(Mode.LOCAL, "", "", "ferretdb")
    try:
        kafka = LocalKafka(data_dir / "kafka", port=free_port(), controller_port=free_port())
        kafka_process = kafka.start(
            pid_dir=pid_dir, log_path=(log_dir / "kafka.log") if log_dir else None
        )
        infra._stops.append(kafka_process.stop)
        ferret = LocalFerretDB(data_dir / "ferretdb", port=free_port())
        ferret_process = ferret.start(
            pid_dir=pid_dir, log_path=(log_dir / "ferretdb.log") if log_dir else None
        )
        infra._stops.append(ferret_process.stop)
    except BaseException:
        infra.stop()
        raise
    infra.kafka_bootstrap = kafka.bootstrap_servers
    infra.mongodb_url = ferret.url
    return infra


def start_containers() -> Infra:
    containers = docker_env.Containers().start()
    infra = Infra(Mode.DOCKER, containers.kafka_bootstrap, containers.mongodb_url, "mongodb")
    infra._stops.append(containers.stop)
    return infra


def choose() -> Mode:
    """Env first, then a Docker engine with the images, then local processes. An engine without
    the images (no registry, nothing built) is not an error: local processes."""
    if from_env() is not None:
        return Mode.GIVEN
    if docker_env.ready():
        return Mode.DOCKER
    return Mode.LOCAL


def resolve(data_dir: Path) -> Infra:
    """Kafka and the store the way `choose` says (this is what tests use)."""
    given = from_env()
    if given is not None:
        log.info("using Kafka and MongoDB from the environment")
        return given
    if choose() is Mode.DOCKER:
        log.info("a Docker engine answers and has the images: starting containers")
        return start_containers()
    log.info("no Docker engine with the images: provisioning Kafka and FerretDB locally")
    return start_local(data_dir)
