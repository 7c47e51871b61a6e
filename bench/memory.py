"""Resident memory of every service (issue 15's bar): at most 120 MB each once started and idle,
at most 200 MB after a load has gone through all of them.

The seven services run as processes (the dev stack's `Stack`, one replica each, logs at
WARNING). Idle: the resident set (`VmRSS`) of each process SETTLE_SECONDS after all are ready.
Then the load: the first admin signs up through identity, creates a generic source in ingest,
and `mentions` signed webhooks go through ingest at 64 in flight (triage, the archive, Kafka);
notify, feedback, scheduler and insights consume the events those make; the console serves its
sign-in and portal pages `pages` times. After SETTLE_SECONDS more, the resident sets again.
A target is shown as (limit / measured) ≥ 1.
"""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import httpx

from bench.report import Target, show, write
from bench.webhook import _fire
from ensemble_devtools.infra import Infra
from ensemble_devtools.stack import Stack

IDLE_LIMIT_MB = 120
LOADED_LIMIT_MB = 200
SETTLE_SECONDS = 15
PASSWORD = "plum-orchard-velvet-42"


def resident_mb(pid: int) -> float:
    """The process's resident set in MB (VmRSS; Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _sample(stack: Stack) -> dict[str, float]:
    return {key: resident_mb(s.process.pid) for key, s in stack.services.items()}


async def _admin_token(identity: str, http: httpx.AsyncClient) -> str:
    first_run = {
        "workspace": "acme",
        "workspace_name": "Acme",
        "email": "ana@acme.example",
        "name": "Ana",
        "password": PASSWORD,
    }
    setup = await http.post(f"{identity}/setup", json=first_run)
    setup.raise_for_status()
    own = {"authorization": f"Bearer {setup.json()['session_token']}"}
    issued = await http.post(f"{identity}/access-tokens", json={"workspace": "acme"}, headers=own)
    issued.raise_for_status()
    return str(issued.json()["access_token"])


async def run(infra: Infra, *, mentions: int, pages: int, log_dir: Path) -> bool:
    tag = secrets.token_hex(4)
    stack = Stack(
        infra=infra,
        log_dir=log_dir / "memory-bench",
        secret="bench-secret-" + secrets.token_hex(24),
        topic_prefix=f"m{tag}.",
        database_prefix=f"m{tag}_",
        env={"LOG_LEVEL": "WARNING"},
    )
    try:
        stack.start_all()
        await asyncio.sleep(SETTLE_SECONDS)
        idle = _sample(stack)
        urls = {key: service.url for key, service in stack.services.items()}
        async with httpx.AsyncClient(timeout=60) as http:
            token = await _admin_token(urls["identity"], http)
            created = await http.post(
                f"{urls['ingest']}/sources",
                json={"name": "memory"},
                headers={"authorization": f"Bearer {token}"},
            )
            created.raise_for_status()
            source = created.json()
            rate = await _fire(
                f"{urls['ingest']}{source['webhook_path']}", source["secret"], mentions, tag, []
            )
            for _ in range(pages):
                for path in ("/sign-in", "/c/acme/", "/c/acme/roadmap"):
                    (await http.get(f"{urls['console']}{path}")).raise_for_status()
        await asyncio.sleep(SETTLE_SECONDS)
        loaded = _sample(stack)
    finally:
        stack.stop_all()
    derived = {f"{key} idle MB": mb for key, mb in idle.items()}
    derived |= {f"{key} after load MB": mb for key, mb in loaded.items()}
    derived["webhooks accepted /s during the load"] = rate
    targets = [
        Target(f"{key} idle ≤ {IDLE_LIMIT_MB} MB", IDLE_LIMIT_MB / mb, 1.0)
        for key, mb in idle.items()
    ]
    targets += [
        Target(f"{key} after load ≤ {LOADED_LIMIT_MB} MB", LOADED_LIMIT_MB / mb, 1.0)
        for key, mb in loaded.items()
    ]
    settings = {"mentions": mentions, "console pages": pages * 3, "settle_seconds": SETTLE_SECONDS}
    show("Resident memory per service", settings, [], derived, targets)
    write("memory", settings, [], derived, targets)
    return all(t.met for t in targets)
