"""Workspaces come from the first-run flow (once, race-safe) or the operator's command."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_identity import cli
from support.identity import PASSWORD, PUBLIC_URL, IdentityDriver, running_identity, session
from support.notify_smtp import Mailbox


def first_run(workspace: str, email: str) -> dict[str, Any]:
    return {
        "workspace": workspace,
        "workspace_name": workspace.capitalize(),
        "email": email,
        "name": "First",
        "password": PASSWORD,
    }


async def test_two_first_runs_at_once_make_one_workspace(identity: IdentityDriver) -> None:
    assert (await identity.http.get("/setup")).json() == {"needed": True, "token_required": False}

    answers = await asyncio.gather(
        *(
            identity.http.post("/setup", json=first_run(ws, f"admin@{ws}.example"))
            for ws in ("acme", "globex", "initech")
        )
    )

    assert sorted(a.status_code for a in answers) == [201, 409, 409]
    assert (await identity.http.get("/setup")).json()["needed"] is False
    later = await identity.http.post("/setup", json=first_run("umbrella", "x@umbrella.example"))
    assert later.status_code == 409
    (winner,) = [a for a in answers if a.status_code == 201]
    me = (await identity.http.get("/me", headers=session(winner.json()["session_token"]))).json()
    (place,) = me["places"]
    assert place["roles"] == ["admin"]
    async with identity.store() as store:
        assert await store["workspaces"].count_documents({}) == 1


async def test_a_setup_token_guards_the_first_run(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> None:
    async with running_identity(
        infra, unique_name("identity"), issuer, mailbox, setup_token="s3cret-setup-token"
    ) as identity:
        status = (await identity.http.get("/setup")).json()
        without = await identity.http.post("/setup", json=first_run("acme", "a@acme.example"))
        wrong = await identity.http.post(
            "/setup", json=first_run("acme", "a@acme.example"), headers={"x-setup-token": "guess"}
        )
        right = await identity.http.post(
            "/setup",
            json=first_run("acme", "a@acme.example"),
            headers={"x-setup-token": "s3cret-setup-token"},
        )
    assert status == {"needed": True, "token_required": True}
    assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 201)


async def test_the_operator_command_creates_a_workspace_and_prints_the_admin_invitation(
    identity: IdentityDriver, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = identity.settings
    for name, value in {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "MONGODB_URL": settings.mongo.url,
        "IDENTITY_DATABASE": settings.database,
        "IDENTITY_KEY_ENCRYPTION_KEY": settings.key_encryption_key.get_secret_value(),
        "ENSEMBLE_PUBLIC_URL": PUBLIC_URL,
        "IDENTITY_SMTP_HOST": "127.0.0.1",
        "IDENTITY_SMTP_PORT": str(identity.mailbox.port),
    }.items():
        monkeypatch.setenv(name, value)

    await asyncio.to_thread(
        cli.main,
        [
            "create-workspace",
            "--id",
            "acme",
            "--name",
            "Acme",
            "--admin-email",
            "op@acme.example",
            "--locale",
            "fr",
        ],
    )
    printed = capsys.readouterr().out
    match = re.search(re.escape(PUBLIC_URL) + r"/invitations/(\S+)", printed)
    assert match, printed
    preview = await identity.post("/invitations/lookup", {"token": match.group(1)})
    assert preview.status_code == 200, preview.text
    assert (preview.json()["workspace_name"], preview.json()["roles"]) == ("Acme", ["admin"])
    assert await identity.link("op@acme.example", "/invitations/") == match.group(1)  # emailed

    again = ["create-workspace", "--id", "acme", "--name", "Again", "--admin-email", "x@a.example"]
    with pytest.raises(SystemExit, match="already exists"):
        await asyncio.to_thread(cli.main, again)
