"""Which infrastructure the tests and ./dev up take: deliberate, never a failure."""

from __future__ import annotations

import pytest

from ensemble_devtools import docker_env, infra
from ensemble_devtools.infra import Mode


@pytest.fixture(autouse=True)
def no_given_infra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("MONGODB_URL", raising=False)


def engine(monkeypatch: pytest.MonkeyPatch, *, answers: bool, images: bool) -> None:
    monkeypatch.setattr(docker_env, "engine_available", lambda: answers)
    monkeypatch.setattr(docker_env, "images_available", lambda *names: images)


def test_an_engine_with_the_images_means_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    engine(monkeypatch, answers=True, images=True)
    assert infra.choose() is Mode.DOCKER


def test_an_engine_without_the_images_means_local_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine(monkeypatch, answers=True, images=False)
    assert infra.choose() is Mode.LOCAL


def test_no_engine_means_local_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    engine(monkeypatch, answers=False, images=True)
    assert infra.choose() is Mode.LOCAL


def test_kafka_and_a_store_from_the_environment_come_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine(monkeypatch, answers=True, images=True)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:27017")
    assert infra.choose() is Mode.GIVEN


def test_the_images_can_be_the_local_stand_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENSEMBLE_KAFKA_IMAGE", "ensemble-local/kafka:4.3.1")
    assert docker_env.kafka_image() == "ensemble-local/kafka:4.3.1"
    monkeypatch.delenv("ENSEMBLE_KAFKA_IMAGE")
    assert docker_env.kafka_image() == "apache/kafka:4.3.1"
