"""Identity as a real process (as `./dev up` runs it): a colleague invited by email signs in,
and the access token identity gives verifies with the shared JWKS verifier over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role
from ensemble_shared.keys import JwksVerifier
from support.identity import PASSWORD, text_of
from support.notify_smtp import Mailbox
from support.waiting import eventually

CONSOLE = "http://127.0.0.1:8080"


async def test_invited_colleague_signs_in_and_their_token_verifies(
    stack_factory: Callable[..., Stack],
) -> None:
    stack = stack_factory()
    with Mailbox() as mailbox:
        stack.start(
            "identity",
            env={
                "IDENTITY_SMTP_HOST": "127.0.0.1",
                "IDENTITY_SMTP_PORT": str(mailbox.port),
                "ENSEMBLE_PUBLIC_URL": CONSOLE,
            },
        )
        stack.wait_ready("identity")
        url = stack.services["identity"].url
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            assert (await http.get("/readyz")).json()["status"] == "ready"
            assert (await http.get("/openapi.json")).json()["info"]["title"] == "Ensemble identity"
            asyncapi = (await http.get("/asyncapi.json")).json()
            assert any("accounts" in name for name in asyncapi["channels"])
            assert "ensemble_http_request_seconds" in (await http.get("/metrics")).text
            setup = await http.post(
                "/setup",
                json={
                    "workspace": "acme",
                    "workspace_name": "Acme",
                    "email": "ana@acme.example",
                    "name": "Ana",
                    "password": PASSWORD,
                },
            )
            assert setup.status_code == 201, setup.text
            admin = {"authorization": f"Bearer {setup.json()['session_token']}"}
            invited = await http.post(
                "/workspaces/acme/invitations",
                json={"email": "bo@acme.example", "roles": ["manager"]},
                headers=admin,
            )
            assert invited.status_code == 201, invited.text

            async def invitation() -> str | None:
                for _, message in mailbox.messages:
                    found = re.search(rf"{CONSOLE}/invitations/(\S+)", text_of(message))
                    if found:
                        return found.group(1)
                return None

            token = await eventually(invitation, lambda t: t is not None, what="invitation")
            accepted = await http.post(
                "/invitations/accept", json={"token": token, "name": "Bo", "password": PASSWORD}
            )
            assert accepted.status_code == 201, accepted.text
            signed_in = await http.post(
                "/sessions", json={"email": "bo@acme.example", "password": PASSWORD}
            )
            assert signed_in.status_code == 201, signed_in.text
            bo = {"authorization": f"Bearer {signed_in.json()['session_token']}"}
            issued = await http.post("/access-tokens", json={"workspace": "acme"}, headers=bo)
            assert issued.status_code == 200, issued.text

        verifier = JwksVerifier(
            f"{url}/.well-known/jwks.json", issuer="ensemble/identity", audience="ensemble"
        )
        try:
            principal = await verifier.verify(issued.json()["access_token"])
        finally:
            await verifier.aclose()
    assert principal.workspace == "acme"
    assert principal.roles == frozenset({Role.MANAGER})
