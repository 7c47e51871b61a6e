"""The front door of `./dev up`, for real: Caddy in front of two ingest processes and Mailpit,
and what `./dev up` prints about them. Everything goes through the one URL: an API and its docs
under /api/ingest/, a signed webhook at /webhooks/generic/…, request ids the services log, the
mail catcher's UI, a placeholder at /."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import smtplib
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from ensemble_devtools import cli, processes
from ensemble_devtools.front_door import LocalFrontDoor
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.local_mailpit import LocalMailpit
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from support.apps import bearer
from support.mentions import mention_body, signed

pytestmark = pytest.mark.e2e


@pytest.fixture
async def door(
    stack_factory: Callable[..., Stack], tmp_path: Path
) -> AsyncIterator[tuple[LocalFrontDoor, Stack]]:
    mail = LocalMailpit(tmp_path / "mailpit", processes.free_port(), processes.free_port())
    front = LocalFrontDoor(tmp_path / "door", processes.free_port(), mail, log_dir=tmp_path)
    try:
        stack = stack_factory(env=front.mail_env(), public_url=front.url)
        stack.start("ingest")
        stack.start("ingest", replica=2)
        await asyncio.to_thread(stack.wait_ready)
        await asyncio.to_thread(front.open, stack)
        yield front, stack
    finally:
        front.stop()


def logged_ids(stack: Stack, key: str) -> set[str]:
    """Correlation ids in a replica's JSON log lines."""
    ids = set()
    for line in stack.services[key].process.log_path.read_text().splitlines():
        try:
            ids.add(json.loads(line).get("correlation_id"))
        except ValueError:
            continue
    return ids


async def test_one_url_reaches_the_apis_webhooks_docs_and_mail(
    door: tuple[LocalFrontDoor, Stack],
    issuer: LocalIssuer,
    infra: Infra,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    front, stack = door
    async with httpx.AsyncClient(base_url=front.url, timeout=30) as http:
        # What `./dev up` prints: the one URL first; every address it shows answers.
        screen = Console(record=True, width=400)
        monkeypatch.setattr(cli, "console", screen)
        cli._announce(front, stack, infra)
        printed = screen.export_text()
        assert printed.splitlines()[0].endswith(f": {front.url}")
        shown = re.findall(r"(http://[^\s,<]+)(?=[\s,]|$)", printed)
        assert {front.url, f"{front.url}/api/ingest/docs", f"{front.url}/dev/mail/"} <= set(shown)
        for url in shown:
            assert (await http.get(url)).status_code == 200, url
        replicas = re.findall(r"(ingest(?:-2)?) :(\d+)", printed)
        assert sorted(replicas) == sorted((s.key, str(s.port)) for s in stack.services.values())
        for _, port in replicas:
            assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200

        health = await http.get("/api/ingest/healthz")
        assert health.json() == {"status": "ok", "service": "ingest"}
        assert health.headers["x-request-id"] == health.headers["x-correlation-id"]

        docs = await http.get("/api/ingest/docs")
        assert docs.status_code == 200
        assert "/api/ingest/openapi.json" in docs.text
        document = (await http.get("/api/ingest/openapi.json")).json()
        assert document["servers"] == [{"url": "/api/ingest"}]
        assert "/sources" in document["paths"]

        admin = bearer(issuer, "acme", Role.ADMIN)
        created = await http.post("/api/ingest/sources", json={"name": "forum"}, headers=admin)
        assert created.status_code == 201, created.text
        source = created.json()
        assert source["webhook_path"].startswith("/webhooks/generic/")
        body = mention_body("front-door-1")
        mine = f"front-door-{secrets.token_hex(4)}"
        sent = await http.post(
            source["webhook_path"],
            content=body,
            headers={**signed(source["secret"], body), "x-request-id": mine},
        )
        assert sent.status_code == 202, sent.text
        assert [m["result"] for m in sent.json()["mentions"]] == ["created"]
        assert sent.headers["x-correlation-id"] == mine
        stored = (await http.get("/api/ingest/mentions", headers=admin)).json()["items"]
        assert [m["id"] for m in stored] == [sent.json()["mentions"][0]["mention_id"]]

        # The proxy balances over both replicas, each request logged under its own id there.
        ids = []
        for _ in range(8):
            answer = await http.get("/api/ingest/healthz")
            ids.append(answer.headers["x-request-id"])
        first, second = logged_ids(stack, "ingest"), logged_ids(stack, "ingest-2")
        assert all((i in first) != (i in second) for i in ids)
        assert first & set(ids)
        assert second & set(ids)
        assert mine in first | second

        # A replica that dies is skipped: the next requests go to the other one.
        stack.services["ingest-2"].process.kill9()
        answers = [await http.get("/api/ingest/healthz") for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 6

        page = await http.get("/")
        assert page.status_code == 200
        assert 'href="/api/ingest/docs"' in page.text
        unknown = await http.get("/api/nothing/here")
        assert (unknown.status_code, unknown.json()["error"]) == (404, "not_found")

        assert front.mailpit is not None
        letter = EmailMessage()
        letter["From"], letter["To"], letter["Subject"] = "a@ensemble.test", "b@x.test", mine
        letter.set_content("Hello")
        with smtplib.SMTP("127.0.0.1", front.mailpit.smtp_port) as smtp:
            smtp.send_message(letter)
        ui = await http.get("/dev/mail/")
        assert ui.status_code == 200
        assert "/dev/mail/dist/app.js" in ui.text
        messages = (await http.get("/dev/mail/api/v1/messages")).json()["messages"]
        assert [m["Subject"] for m in messages] == [mine]
