"""Schemathesis against each service's own OpenAPI document, with an admin token: no request it
generates (examples, coverage, fuzzing, stateful links) gets a 5xx.

Each service runs for real (uvicorn on a loopback port, its lifespan on the real store and
broker) and schemathesis' CLI fuzzes it for at most MAX_SECONDS. A failure it finds is kept as
a raw-request test in test_shared_bad_input_answers.py once fixed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.processes import free_port
from ensemble_feedback.main import create_app as create_feedback
from ensemble_identity.main import create_app as create_identity
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app as create_ingest
from ensemble_insights.main import create_app as create_insights
from ensemble_notify.config import NotifySettings
from ensemble_notify.main import create_app as create_notify
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler
from ensemble_shared.auth import Role
from support.apps import bearer, settings_for
from support.feedback import feedback_settings
from support.identity import ADMIN_EMAIL, PASSWORD, identity_settings
from support.insights_app import insights_settings
from support.threaded_server import ThreadedServer

MAX_SECONDS = 40

pytestmark = pytest.mark.timeout(MAX_SECONDS + 120)

APPS: dict[str, Callable[[Infra, str, LocalIssuer], FastAPI]] = {
    "ingest": lambda i, p, s: create_ingest(IngestSettings(**settings_for(i, p, s))),
    "feedback": lambda i, p, s: create_feedback(feedback_settings(i, p, s)),
    "scheduler": lambda i, p, s: create_scheduler(SchedulerSettings(**settings_for(i, p, s))),
    "notify": lambda i, p, s: create_notify(NotifySettings(**settings_for(i, p, s))),
    "insights": lambda i, p, s: create_insights(insights_settings(i, p, s)),
    # identity mails invitations and links: to a port nothing listens on (the send fails and
    # is retried later, which is not what is fuzzed here)
    "identity": lambda i, p, s: create_identity(
        identity_settings(i, p, s, smtp_host="127.0.0.1", smtp_port=free_port())
    ),
}


SPARED = {
    # what would end the admin's own session (or change its password) mid-run, leaving every
    # later request a 401: tested in tests/component/identity instead
    "identity": ["DELETE /me/sessions", "DELETE /sessions/current", "PUT /me/password"],
}


def admin_header(service: str, base_url: str, issuer: LocalIssuer) -> str:
    """An admin's Authorization: a token the session's issuer signs, or for identity (which
    trusts only its own keys) the session of the admin its first-run page creates."""
    if service != "identity":
        return bearer(issuer, "acme", Role.ADMIN)["authorization"]
    first_run = {
        "workspace": "acme",
        "workspace_name": "Acme",
        "email": ADMIN_EMAIL,
        "name": "Ana Admin",
        "password": PASSWORD,
    }
    answer = httpx.post(f"{base_url}/setup", json=first_run, timeout=30)
    assert answer.status_code == 201, answer.text
    return f"Bearer {answer.json()['session_token']}"


class LiveService(ThreadedServer):
    """The app behind uvicorn with its lifespan, as `./dev up` runs it."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._serve(app)
        self._server.config.lifespan = "on"

    def __enter__(self) -> LiveService:
        self._thread.start()
        deadline = time.monotonic() + 60  # the lifespan creates topics and indexes first
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise TimeoutError(f"{type(self).__name__} did not start")
            time.sleep(0.05)
        return self


@pytest.mark.parametrize("service", sorted(APPS))
def test_no_generated_request_gets_a_server_error(
    service: str,
    infra: Infra,
    unique_name: Callable[[str], str],
    issuer: LocalIssuer,
    tmp_path: Path,
) -> None:
    app = APPS[service](infra, unique_name(service), issuer)
    with LiveService(app) as live:
        token = admin_header(service, live.base_url, issuer)
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{live.base_url}/openapi.json",
                "--url",
                live.base_url,
                "-H",
                f"Authorization: {token}",
                "--checks",
                "not_a_server_error",
                "--max-time",
                str(MAX_SECONDS),
                "--workers",
                "1",
                "--request-timeout",
                "20",
                "--seed",
                "11",
                "--no-color",
                *[arg for name in SPARED.get(service, []) for arg in ("--exclude-name", name)],
            ],
            cwd=tmp_path,  # schemathesis keeps its cache in ./.schemathesis
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS + 90,
            check=False,
        )
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
