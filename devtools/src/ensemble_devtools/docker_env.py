"""The Docker path: only when a Docker engine answers AND the images are there or can be pulled
(the CLI alone proves nothing; an engine without a registry must not fail the tests).

The images are the official ones unless ENSEMBLE_KAFKA_IMAGE / ENSEMBLE_MONGO_IMAGE name others,
such as the stand-ins `./dev compose-check` builds where no registry is reachable.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from ensemble_devtools.processes import free_port

log = logging.getLogger(__name__)

KAFKA_IMAGE = "apache/kafka:4.3.1"
MONGO_IMAGE = "mongo:8.0"


def kafka_image() -> str:
    return os.environ.get("ENSEMBLE_KAFKA_IMAGE") or KAFKA_IMAGE


def mongo_image() -> str:
    return os.environ.get("ENSEMBLE_MONGO_IMAGE") or MONGO_IMAGE


def _client() -> Any:
    import docker

    return docker.from_env(timeout=2)


def engine_available() -> bool:
    try:
        _client().ping()
    except Exception:
        return False
    return True


def images_available(*images: str) -> bool:
    """Each image is present, or is pulled now; False (and why, in the log) at the first one that
    cannot be had."""
    import docker

    client = docker.from_env(timeout=300)
    for image in images:
        try:
            client.images.get(image)
            continue
        except docker.errors.ImageNotFound:
            pass
        try:
            client.images.pull(image)
        except Exception as exc:
            log.warning("Docker engine found, but not the image %s (%s)", image, exc)
            return False
    return True


def _reaper_image() -> list[str]:
    """testcontainers' reaper (Ryuk) is an image too, unless TESTCONTAINERS_RYUK_DISABLED."""
    from testcontainers.core.config import testcontainers_config

    return [] if testcontainers_config.ryuk_disabled else [testcontainers_config.ryuk_image]


def ready() -> bool:
    """The Docker path can run: an engine answers and Kafka's, the store's and the reaper's
    images are there."""
    return engine_available() and images_available(kafka_image(), mongo_image(), *_reaper_image())


@dataclass
class Containers:
    """Kafka (KRaft, configured like the official image) and a MongoDB-wire store with a root
    user, started by testcontainers."""

    kafka_bootstrap: str = ""
    mongodb_url: str = ""
    _started: list[Any] = field(default_factory=list)

    def start(self) -> Containers:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.wait_strategies import LogMessageWaitStrategy

        port = free_port()
        kafka = (
            DockerContainer(kafka_image())
            .with_bind_ports(9092, port)
            .with_env("KAFKA_NODE_ID", "1")
            .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
            .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
            .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
            .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .with_env(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
            )
            .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
            .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
            .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
            .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .waiting_for(LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(120))
        )
        self._started.append(kafka)
        kafka.start()
        password = secrets.token_urlsafe(16)
        store_port = free_port()
        store = (
            DockerContainer(mongo_image())
            .with_bind_ports(27017, store_port)
            .with_env("MONGO_INITDB_ROOT_USERNAME", "ensemble")
            .with_env("MONGO_INITDB_ROOT_PASSWORD", password)
        )
        store.start()
        self._started.append(store)
        self.kafka_bootstrap = f"127.0.0.1:{port}"
        self.mongodb_url = f"mongodb://ensemble:{password}@127.0.0.1:{store_port}/?authSource=admin"
        _wait_for_store(self.mongodb_url)
        return self

    def stop(self) -> None:
        for container in reversed(self._started):
            container.stop()
        self._started.clear()


def _wait_for_store(url: str, timeout: float = 120.0) -> None:
    """Until the root user can write: the official image restarts once after creating it."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    deadline = time.monotonic() + timeout
    while True:
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=2000)
            with client:
                client["ensemble_probe"]["probe"].insert_one({"probe": True})
                client.drop_database("ensemble_probe")
                return
        except PyMongoError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
