"""The console's own overhead (issue 13's bar): a page's server time at most 1.5 times the time
of the API calls it makes, measured in the same run, for the account page, the decision page
and the content screen (a staff page: 40 items and my pending decisions).

Identity, scheduler and the console run as processes (the dev stack's `Stack`). Each round
requests the page N times, then makes the same API calls the page makes, N times, directly
(same client, same machine): the account page's `GET /me`, `GET /me/sessions` and
`GET /workspaces/{ws}/api-keys` (its access token is cached, as in the console); the
decision page's `GET /approval-links/{token}`; the content screen's `GET /content?limit=100`
and `GET /approvals/awaiting-me?limit=50`, made together as the console makes them. Rates are
requests per second; the target is (API sequences per second) / (pages per second) ≤ 1.5,
shown as its inverse ≥ 0.67.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import httpx

from bench.report import Target, show, write
from bench.requests import measure, ok
from ensemble_devtools import processes
from ensemble_devtools.infra import Infra
from ensemble_devtools.stack import Stack, dev_secret
from ensemble_scheduler.services.links import LinkClaims, LinkSigner, link_id

PASSWORD = "plum-orchard-velvet-42"
THRESHOLD = 1 / 1.5
POLICY = {"steps": [{"name": "client", "external": [{"id": "acme-corp", "name": "ACME Corp"}]}]}


async def _decision_token(
    http: httpx.AsyncClient, scheduler: str, manager: dict[str, str], secret: str
) -> str:
    ok(await http.put(f"{scheduler}/approval-policies/std", json=POLICY, headers=manager))
    body = {"kind": "post", "channel": "mastodon", "title": "Launch", "body": "We launch today"}
    created = await http.post(f"{scheduler}/content", json=body, headers=manager)
    ok(created)
    item = created.json()["id"]
    ok(await http.post(f"{scheduler}/content/{item}/approval", json={}, headers=manager))
    approval = (await http.get(f"{scheduler}/content/{item}/approval", headers=manager)).json()
    claims = LinkClaims(
        link_id=link_id(approval["id"], "client", 1, "acme-corp"),
        workspace="acme",
        content_id=item,
        approval_id=approval["id"],
        step="client",
        round=approval["steps"][0]["round"],
        approver="acme-corp",
        expires=int(time.time()) + 3600,
    )
    return LinkSigner(secret).sign(claims)


async def run(infra: Infra, *, rounds: int, requests: int, log_dir: Path) -> bool:
    secret = "bench-secret-" + secrets.token_hex(24)
    tag = secrets.token_hex(4)
    stack = Stack(
        infra=infra,
        log_dir=log_dir / "console-bench",
        secret=secret,
        topic_prefix=f"b{tag}.",
        database_prefix=f"b{tag}_",
        env={"LOG_LEVEL": "WARNING"},
    )
    port = processes.free_port()
    console_url = f"http://127.0.0.1:{port}"
    try:
        stack.start("identity", env={"ENSEMBLE_PUBLIC_URL": console_url})
        stack.start("scheduler", env={"ENSEMBLE_PUBLIC_URL": console_url})
        stack.wait_ready("identity", "scheduler")
        stack.start(
            "console", port=port, env={"ENSEMBLE_PUBLIC_URL": console_url, **stack.console_env()}
        )
        stack.wait_ready("console")
        identity, scheduler = stack.services["identity"].url, stack.services["scheduler"].url
        async with httpx.AsyncClient(timeout=30) as http:
            setup = await http.post(
                f"{identity}/setup",
                json={
                    "workspace": "acme",
                    "workspace_name": "Acme",
                    "email": "ana@acme.example",
                    "name": "Ana",
                    "password": PASSWORD,
                },
            )
            ok(setup)
            session = setup.json()["session_token"]
            own = {"authorization": f"Bearer {session}"}
            issued = await http.post(
                f"{identity}/access-tokens", json={"workspace": "acme"}, headers=own
            )
            ok(issued)
            access = {"authorization": f"Bearer {issued.json()['access_token']}"}
            token = await _decision_token(
                http, scheduler, access, dev_secret(secret, "scheduler-secret-key")
            )
            cookies = {"ens_session": session}
            for n in range(40):
                draft = {"kind": "post", "channel": "mastodon", "title": f"Item {n}", "body": "Hi"}
                ok(await http.post(f"{scheduler}/content", json=draft, headers=access))

            async def content_page() -> None:
                ok(await http.get(f"{console_url}/w/acme/content", cookies=cookies))

            async def content_apis() -> None:
                listed, awaiting = await asyncio.gather(
                    http.get(f"{scheduler}/content", params={"limit": 100}, headers=access),
                    http.get(
                        f"{scheduler}/approvals/awaiting-me", params={"limit": 50}, headers=access
                    ),
                )
                ok(listed)
                ok(awaiting)

            async def account_page() -> None:
                ok(await http.get(f"{console_url}/w/acme/account", cookies=cookies))

            async def account_apis() -> None:
                ok(await http.get(f"{identity}/me", headers=own))
                ok(await http.get(f"{identity}/me/sessions", headers=own))
                ok(await http.get(f"{identity}/workspaces/acme/api-keys", headers=access))

            async def decision_page() -> None:
                ok(await http.get(f"{console_url}/hooks/decisions/{token}"))

            async def decision_api() -> None:
                ok(await http.get(f"{scheduler}/approval-links/{token}"))

            arms = {
                "account page": (account_page, "GET /w/acme/account through the console"),
                "account APIs": (account_apis, "/me, /me/sessions, /workspaces/acme/api-keys"),
                "decision page": (decision_page, "GET /hooks/decisions/{token}"),
                "decision API": (decision_api, "scheduler GET /approval-links/{token}"),
                "content page": (content_page, "GET /w/acme/content (40 items)"),
                "content APIs": (content_apis, "scheduler /content and /approvals/awaiting-me"),
            }
            measured = await measure(arms, rounds=rounds, requests=requests)
    finally:
        stack.stop_all()
    listed = list(measured.values())
    targets = [
        Target(
            "account page / its API calls (≥ 0.67 means ≤ 1.5x their time)",
            measured["account page"].median / measured["account APIs"].median,
            THRESHOLD,
        ),
        Target(
            "decision page / its API call",
            measured["decision page"].median / measured["decision API"].median,
            THRESHOLD,
        ),
        Target(
            "content screen / its two API calls",
            measured["content page"].median / measured["content APIs"].median,
            THRESHOLD,
        ),
    ]
    settings = {"rounds": rounds, "requests per arm per round": requests}
    show("Console pages vs the API calls they make", settings, listed, {}, targets)
    write("console", settings, listed, {}, targets)
    return all(t.met for t in targets)


if __name__ == "__main__":  # pragma: no cover - `./dev bench --only console` runs it
    raise SystemExit("run with: ./dev bench --only console")
