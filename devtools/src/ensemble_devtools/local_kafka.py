"""Apache Kafka 4.x, single node in KRaft mode, assembled from Maven Central and run locally."""

from __future__ import annotations

import base64
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools import processes
from ensemble_devtools.paths import RESOURCES, cache_dir

KAFKA_VERSION = "4.3.1"


def provision(pom: str = "kafka-pom.xml", folder: str = f"kafka-{KAFKA_VERSION}") -> Path:
    """The folder of Kafka's jars, fetched once by Maven into the cache (`pom` in resources/)."""
    libs = cache_dir() / folder / "libs"
    done = libs.parent / ".complete"
    if done.exists():
        return libs
    for tool in ("java", "mvn"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"`{tool}` is needed to run Kafka locally (Java 17+ and Maven)")
    if libs.exists():
        shutil.rmtree(libs)
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(RESOURCES / pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={libs}",
            "-DincludeScope=runtime",
        ],
        check=True,
    )
    done.touch()
    return libs


def _cluster_id() -> str:
    """A base64url UUID, as `kafka-storage random-uuid` makes: never starting with '-'."""
    while True:
        candidate = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not candidate.startswith("-"):
            return candidate


def _java(libs: Path, main: str, *args: str) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx768m",
        "-XX:+UseG1GC",
        f"-Dlog4j2.configurationFile={RESOURCES / 'kafka-log4j2.properties'}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


@dataclass
class LocalKafka:
    """One broker+controller bound to loopback, data in `data_dir`."""

    data_dir: Path
    port: int
    controller_port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _properties(self) -> Path:
        path = self.data_dir / "server.properties"
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.data_dir / "logs"),
            "num.partitions": "1",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # A single local broker: no reason to wait for more members before the first rebalance.
            "group.initial.rebalance.delay.ms": "0",
            # Deleted topics give their files back soon (the tests delete theirs after each test).
            "log.segment.delete.delay.ms": "1000",
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
        return path

    def start(
        self, *, pid_dir: Path | None = None, log_path: Path | None = None
    ) -> processes.Managed:
        libs = provision()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        properties = self._properties()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            subprocess.run(
                _java(
                    libs,
                    "kafka.tools.StorageTool",
                    "format",
                    f"--cluster-id={_cluster_id()}",
                    "-c",
                    str(properties),
                ),
                check=True,
                capture_output=True,
            )
        return processes.start_listening(
            "kafka",
            _java(libs, "kafka.Kafka", str(properties)),
            port=self.port,
            log_path=log_path or self.data_dir / "kafka.log",
            pid_dir=pid_dir,
            timeout=90,
        )
