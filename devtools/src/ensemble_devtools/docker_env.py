"""The Docker path: only when a Docker engine answers (the CLI alone proves nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ensemble_devtools.processes import free_port

KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:8.0"


def engine_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@dataclass
class Containers:
    """Kafka (official Apache image, KRaft) and MongoDB started by testcontainers."""

    kafka_bootstrap: str = ""
    mongodb_url: str = ""
    _started: list[Any] = field(default_factory=list)

    def start(self) -> Containers:
        from testcontainers.community.mongodb import MongoDbContainer
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        port = free_port()
        kafka = (
            DockerContainer(KAFKA_IMAGE)
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
        )
        kafka.start()
        self._started.append(kafka)
        wait_for_logs(kafka, "Kafka Server started", timeout=120)
        mongo = MongoDbContainer(MONGO_IMAGE)
        mongo.start()
        self._started.append(mongo)
        self.kafka_bootstrap = f"127.0.0.1:{port}"
        self.mongodb_url = mongo.get_connection_url()
        return self

    def stop(self) -> None:
        for container in reversed(self._started):
            container.stop()
        self._started.clear()
