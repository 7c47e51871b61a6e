"""Ingest's signed-webhook endpoint against a bare Starlette endpoint doing the same work.

Both run as uvicorn processes started the same way (`ensemble_shared.serve`), on the same
Kafka and store, and receive the same signed ~1 KB mentions from a client process with the
same concurrency, arms interleaved after a warm-up. The bare endpoint verifies the signature,
then calls the same pipeline; ingest's adds FastAPI, its middleware (body limit, correlation
ids, metrics, JSON access logs) and the source lookup in the store.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.report import Arm, Target, show, write
from ensemble_devtools import processes
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.paths import repo_root
from ensemble_shared.auth import Role
from ensemble_shared.events import new_id
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from support.mentions import mention_body, signed

CONCURRENCY = 16


def _env(infra: Infra, prefix: str, database: str, issuer: LocalIssuer) -> dict[str, str]:
    return {
        **infra.env(),
        "HOST": "127.0.0.1",
        "KAFKA_TOPIC_PREFIX": prefix,
        "INGEST_DATABASE": database,
        "INGEST_SECRET_KEY": "bench-" + "k" * 32,
        "ENSEMBLE_AUTH_JWKS": issuer.jwks_json(),
        "PYTHONPATH": str(repo_root()),
    }


async def _wait(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(url, timeout=1)).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(f"{url} did not answer")


async def _fire(url: str, secret: str, count: int, tag: str) -> float:
    bodies = [mention_body(f"{tag}-{n}") for n in range(count)]
    queue = list(range(count))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while queue:
                body = bodies[queue.pop()]
                response = await client.post(url, content=body, headers=signed(secret, body))
                assert response.status_code == 202, response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return count / (time.perf_counter() - started)


async def run(infra: Infra, *, rounds: int, requests: int, log_dir: Path) -> bool:
    issuer = LocalIssuer()
    tag = new_id()[:8]
    databases = [f"bench_{tag}_full", f"bench_{tag}_bare"]
    full_port, bare_port = processes.free_port(), processes.free_port()
    full = processes.start(
        "ingest",
        [sys.executable, "-m", "ensemble_ingest"],
        log_path=log_dir / "full.log",
        env={**_env(infra, f"bench{tag}f.", databases[0], issuer), "PORT": str(full_port)},
    )
    bare = None
    try:
        await _wait(f"http://127.0.0.1:{full_port}/readyz")
        token = issuer.token("bench", Role.ADMIN, subject="bench")
        async with httpx.AsyncClient() as client:
            created: dict[str, Any] = (
                await client.post(
                    f"http://127.0.0.1:{full_port}/sources",
                    json={"name": "bench"},
                    headers={"authorization": f"Bearer {token}"},
                )
            ).json()
        bare_secret = created["secret"]
        bare = processes.start(
            "bare",
            [
                sys.executable,
                "-c",
                "from ensemble_shared.serve import serve; serve('bench.webhook_server:create_app')",
            ],
            log_path=log_dir / "bare.log",
            env={
                **_env(infra, f"bench{tag}b.", databases[1], issuer),
                "PORT": str(bare_port),
                "BENCH_SOURCE_ID": created["id"],
                "BENCH_SECRET": bare_secret,
            },
            cwd=repo_root(),
        )
        await _wait(f"http://127.0.0.1:{bare_port}/hook")
        targets_urls = {
            "webhook_endpoint": f"http://127.0.0.1:{full_port}{created['webhook_path']}",
            "bare_starlette": f"http://127.0.0.1:{bare_port}/hook",
        }
        arms = {
            "webhook_endpoint": Arm("webhook_endpoint", "POST /webhooks/generic/{id}: the service"),
            "bare_starlette": Arm(
                "bare_starlette", "Starlette route: verify, then the same pipeline"
            ),
        }
        for round_ in range(rounds + 1):
            for name, url in targets_urls.items():
                rate = await _fire(url, created["secret"], requests, f"{name}-{round_}")
                if round_:  # round 0 warms both up
                    arms[name].rates.append(rate)
    finally:
        for process in (full, bare):
            if process is not None:
                process.stop()
        client_store = create_client(MongoSettings(url=infra.mongodb_url))
        for name in databases:
            await client_store.drop_database(name)
        client_store.close()

    ratio = arms["webhook_endpoint"].median / arms["bare_starlette"].median
    targets = [Target("webhook endpoint / bare Starlette", ratio, 0.7)]
    settings: dict[str, Any] = {
        "server": "uvicorn, 1 process each, started by ensemble_shared.serve",
        "client": f"httpx, {CONCURRENCY} connections, {requests} signed requests per round",
        "rounds (after 1 warm-up)": rounds,
        "store": infra.store,
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
    }
    listed = list(arms.values())
    show("Signed-webhook endpoint vs a bare Starlette endpoint", settings, listed, {}, targets)
    print(f"written: {write('webhook', settings, listed, {}, targets)}")
    return all(t.met for t in targets)
