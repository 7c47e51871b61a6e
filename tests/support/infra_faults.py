"""Kafka and the store as one test's own local processes, so a fault test can kill -9, pause
and restart them by PID without touching the session's shared ones (other tests use those)."""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

from ensemble_devtools.infra import Infra, Mode
from ensemble_devtools.local_ferretdb import LocalFerretDB
from ensemble_devtools.local_kafka import LocalKafka
from ensemble_devtools.processes import Managed, free_port


@dataclass
class OwnInfra:
    """One Kafka broker and one FerretDB, restarted on the same ports and data after a fault."""

    kafka: LocalKafka
    store: LocalFerretDB
    kafka_process: Managed
    store_process: Managed

    @classmethod
    def start(cls, data_dir: Path) -> OwnInfra:
        kafka = LocalKafka(data_dir / "kafka", port=free_port(), controller_port=free_port())
        kafka_process = kafka.start()
        try:
            store = LocalFerretDB(data_dir / "ferretdb", port=free_port())
            store_process = store.start()
        except BaseException:
            kafka_process.stop()
            raise
        return cls(kafka, store, kafka_process, store_process)

    @property
    def infra(self) -> Infra:
        return Infra(Mode.LOCAL, self.kafka.bootstrap_servers, self.store.url, "ferretdb")

    def kill9_kafka(self) -> None:
        self.kafka_process.kill9()

    def start_kafka(self) -> None:
        """Same port, same data: the broker comes back with every acknowledged record."""
        self.kafka_process = self.kafka.start()

    def kill9_store(self) -> None:
        self.store_process.kill9()

    def start_store(self) -> None:
        self.store_process = self.store.start()

    def pause_store(self) -> None:
        pause(self.store_process)

    def resume_store(self) -> None:
        resume(self.store_process)

    def stop(self) -> None:
        for process in (self.store_process, self.kafka_process):
            resume(process)  # a stopped process would not end on SIGTERM
            with contextlib.suppress(Exception):
                process.stop()


def pause(process: Managed) -> None:
    """SIGSTOP: the process keeps its sockets open and answers nothing (a brownout)."""
    os.kill(process.pid, signal.SIGSTOP)


def resume(process: Managed) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGCONT)
