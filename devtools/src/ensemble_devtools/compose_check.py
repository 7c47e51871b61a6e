"""`./dev compose-check`: the operators' path, run for real. It builds the stand-in base images
(once) and the service images, starts the real docker-compose.yml scaled (ingest=2, notify=3)
behind its proxy, sends signed mentions through the front door and counts them at a receiver,
approves from the link in an email, kills Kafka and the store, starts them again, counts again,
and removes everything (`down -v`). It prints what it measured; a failed check raises."""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.fernet import Fernet
from rich.console import Console
from rich.table import Table

from ensemble_devtools import compose_tool, docker_engine, local_images
from ensemble_devtools.compose_scenario import (
    Door,
    Mentions,
    Phase,
    approve_from_email,
    front_door,
    wait_for,
)
from ensemble_devtools.paths import RESOURCES, repo_root, state_dir
from ensemble_devtools.processes import free_port
from ensemble_devtools.stack import SECRET_KEYS

PROJECT = "ensemble-check"
SCALE = {"ingest": 2, "notify": 3}
FIRST_BATCH = 40
OUTAGE_BATCH = 10
LATER_BATCH = 20


@dataclass
class Report:
    seconds: dict[str, float] = field(default_factory=dict)
    images: dict[str, float | None] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)
    phases: dict[str, dict[str, Any]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    approval: dict[str, Any] = field(default_factory=dict)
    front_door: dict[str, Any] = field(default_factory=dict)
    recovery: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.seconds[step] = round(time.monotonic() - started, 1)

    def show(self, console: Console) -> None:
        table = Table(title="compose check", show_header=False)
        for step, spent in self.seconds.items():
            table.add_row("time", step, f"{spent:.1f} s")
        for image, seconds in self.images.items():
            made = "cached" if seconds is None else f"built in {seconds:.1f} s"
            table.add_row("image", image, made)
        table.add_row("scale", "running replicas", json.dumps(self.replicas))
        for phase, result in self.phases.items():
            table.add_row("mentions", phase, json.dumps(result))
        for moment, counts in self.counts.items():
            table.add_row("counts", moment, json.dumps(counts))
        table.add_row("approval", "from the email", json.dumps(self.approval))
        table.add_row("front door", "console and identity", json.dumps(self.front_door))
        for what, seconds in self.recovery.items():
            table.add_row("recovery", what, f"{seconds:.1f} s")
        for note in self.notes:
            table.add_row("note", "", note)
        console.print(table)


def _process_env(engine: dict[str, str]) -> dict[str, str]:
    """The only variables compose's process sees: nothing from a developer's shell leaks in."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        **engine,
        "DOCKER_BUILDKIT": "1",
        "COMPOSE_BAKE": "false",  # compose's own BuildKit client: no buildx plugin needed
    }


def _variables(port: int) -> dict[str, str]:
    """The compose file's variables for the check (its --env-file: a .env is not read)."""
    return {
        "COMPOSE_PROFILES": "dev",
        **{f"{name.upper()}_SECRET_KEY": secrets.token_hex(32) for name in sorted(SECRET_KEYS)},
        "MONGO_PASSWORD": secrets.token_hex(24),
        "CONSOLE_SECRET": secrets.token_urlsafe(48),
        "IDENTITY_KEY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ENSEMBLE_HTTP_PORT": str(port),
        "ENSEMBLE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ENSEMBLE_CHECK_RECEIVER": str(RESOURCES / "compose-check" / "receiver.py"),
        "ENSEMBLE_ALLOW_PRIVATE_URLS": "true",  # the receiver is a container on compose's network
        **local_images.variables(),
    }


def _replicas(compose: compose_tool.Compose) -> dict[str, int]:
    running = Counter(c["Service"] for c in compose.containers() if c["State"] == "running")
    return dict(sorted(running.items()))


def _healthy(compose: compose_tool.Compose) -> bool:
    """Every container running, and healthy where it has a healthcheck."""
    return all(
        c["State"] == "running" and c.get("Health", "") in ("", "healthy")
        for c in compose.containers()
    )


def _requests_per_replica(compose: compose_tool.Compose, service: str, path: str) -> dict[str, int]:
    lines = compose.output("logs", "--no-color", service).splitlines()
    served = Counter(line.split("|", 1)[0].strip() for line in lines if path in line)
    return dict(sorted(served.items()))


def _phase(report: Report, name: str, phase: Phase) -> None:
    report.phases[name] = asdict(phase)


def _faults(compose: compose_tool.Compose, mentions: Mentions, report: Report) -> None:
    """Kill Kafka and send; kill the store and send; start both; measure how long until each
    thing is back; send again what was not answered 202, and more."""
    compose.run("kill", "kafka")
    outage = mentions.send(OUTAGE_BATCH, "kafka-down", parallel=OUTAGE_BATCH, timeout=90)
    _phase(report, "Kafka killed", outage)
    compose.run("kill", "mongo")
    _phase(report, "Kafka and store killed", mentions.send(4, "all-down", timeout=90))
    states = {c["Service"]: c["State"] for c in compose.containers()}
    report.notes.append(f"after kill: kafka {states.get('kafka')}, mongo {states.get('mongo')}")
    started = time.monotonic()
    compose.run("start", "kafka", "mongo")

    def since() -> float:
        return round(time.monotonic() - started, 1)

    def accepted_again() -> bool:
        return 202 in mentions.send(1, "probe", parallel=1, timeout=10).answers

    wait_for(accepted_again, timeout=300, what="a webhook accepted again")
    report.recovery["start → a webhook accepted again"] = since()
    _phase(report, "after restart", mentions.send(LATER_BATCH, "after"))
    _phase(report, "unanswered ones sent again", mentions.retry())
    wait_for(lambda: _healthy(compose), timeout=300, what="every container healthy")
    report.recovery["start → every container healthy"] = since()
    mentions.wait_delivered()
    report.recovery["start → every accepted mention delivered"] = since()
    logs = compose.output("logs", "--no-color", "ingest")
    relayed = sum(int(n) for n in re.findall(r"outbox relay published (\d+) events", logs))
    report.notes.append(f"ingest events the outbox relay published: {relayed}")


def _check_counts(report: Report, moment: str, mentions: Mentions) -> None:
    counts = asdict(mentions.counts())
    report.counts[moment] = counts
    if counts["missing"] or counts["duplicates"] or counts["unacknowledged"]:
        raise AssertionError(f"{moment}: {counts}")


def run(*, rebuild_images: bool, keep: bool, console: Console) -> Report:
    """The whole check; the report is printed even when a step fails."""
    report = Report()
    started = time.monotonic()
    try:
        with docker_engine.engine() as engine:
            _run(engine, report, rebuild_images=rebuild_images, keep=keep, say=console.print)
    finally:
        report.seconds["total"] = round(time.monotonic() - started, 1)
        (state_dir() / "compose-check.json").write_text(json.dumps(asdict(report), indent=2))
        report.show(console)
    return report


def _run(
    engine: dict[str, str],
    report: Report,
    *,
    rebuild_images: bool,
    keep: bool,
    say: Callable[[str], None],
) -> None:
    say("[bold]stand-in images[/] (built once, kept in the engine)")
    with report.timed("stand-in images"):
        report.images = local_images.build_all(engine, rebuild=rebuild_images)
    with report.timed("compose binary"):
        argv = compose_tool.command(engine)
    port = free_port()
    variables = _variables(port)
    env_file = state_dir() / "compose-check.env"
    env_file.touch(mode=0o600)
    env_file.write_text("".join(f"{name}={value}\n" for name, value in variables.items()))
    root = repo_root()
    files = [root / "docker-compose.yml", RESOURCES / "compose-check" / "compose.check.yml"]
    compose = compose_tool.Compose(argv, root, files, PROJECT, _process_env(engine), env_file)
    try:
        say("[bold]compose build[/]")
        with report.timed("compose build (service images)"):
            compose.run("build")
        scale = [arg for name, n in SCALE.items() for arg in ("--scale", f"{name}={n}")]
        say(f"[bold]compose up --wait {' '.join(scale)}[/]")
        with report.timed("compose up until healthy"):
            compose.run("up", "--detach", "--wait", "--wait-timeout", "600", *scale)
        report.replicas = _replicas(compose)
        if any(report.replicas.get(name) != n for name, n in SCALE.items()):
            raise AssertionError(f"replicas running: {report.replicas}, wanted {SCALE}")
        receiver = f"http://127.0.0.1:{compose.port('receiver', 8000)}"
        door = Door(variables["ENSEMBLE_PUBLIC_URL"], receiver)
        with report.timed("first run, sign-in and a token through the proxy"):
            report.front_door = front_door(door)
        mentions = Mentions(door)
        with report.timed("mentions through the proxy, delivered"):
            mentions.open()
            _phase(report, "scaled", mentions.send(FIRST_BATCH, "scaled"))
            mentions.wait_delivered()
        _check_counts(report, "scaled", mentions)
        served = _requests_per_replica(compose, "ingest", "POST /webhooks/generic/")
        report.notes.append(f"webhooks served per ingest replica: {served}")
        with report.timed("approval from the email link"):
            report.approval = approve_from_email(door)
        say("[bold]compose kill kafka, mongo; start[/]")
        with report.timed("faults and recovery"):
            _faults(compose, mentions, report)
        _check_counts(report, "after the faults", mentions)
    finally:
        if keep:
            say(f"kept running: project {PROJECT}, proxy at http://127.0.0.1:{port}")
        else:
            with report.timed("compose down -v"):
                compose.run("down", "--volumes", "--remove-orphans")
