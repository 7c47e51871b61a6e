"""Ingest's signed-webhook edge against the batched path and the store's raw rate.

Arms, interleaved every round after a warm-up, all served by uvicorn processes started the
same way (`ensemble_shared.serve`) on the same Kafka and store, fed the same signed ~1 KB
mentions by a client process:
- webhook_endpoint: `POST /webhooks/generic/{id}` on ingest, CONCURRENCY requests in flight
  (concurrent requests share their store round trips: a group commit);
- bare_starlette: a bare Starlette route doing the same verification and pipeline call
  (prices FastAPI, ingest's middleware and the source lookup);
- batched_ingest: the same mentions through `IngestPipeline.ingest_items`, batches of 500,
  two in flight (the path pulled sources take);
- insert_many_raw: the same mention documents stored with one `insert_many` per 500.
Then the endpoint is offered half its measured rate at a steady pace (open loop) and the time
to each acknowledgement is recorded; the p99 at full rate comes from the closed-loop rounds.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
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

CONCURRENCY = 64
BATCH = 500
BATCHES_IN_FLIGHT = 2
TIMEOUT = aiohttp.ClientTimeout(total=60)


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


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _post(session: aiohttp.ClientSession, url: str, secret: str, body: bytes) -> float:
    """One signed request; its time to the acknowledgement."""
    sent = time.perf_counter()
    async with session.post(url, data=body, headers=signed(secret, body)) as response:
        text = await response.text()
        assert response.status == 202, text
    return time.perf_counter() - sent


async def _fire(url: str, secret: str, count: int, tag: str, latencies: list[float]) -> float:
    """CONCURRENCY signed requests in flight until `count` are acknowledged; the rate.
    (aiohttp: httpx's client measured ~35 requests/s at 64 in flight against a server that
    does nothing, where aiohttp sends 300-500/s.)"""
    bodies = [mention_body(f"{tag}-{n}") for n in range(count)]
    queue = list(range(count))
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:

        async def worker() -> None:
            while queue:
                latencies.append(await _post(session, url, secret, bodies[queue.pop()]))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return count / (time.perf_counter() - started)


async def _paced(url: str, secret: str, count: int, rate: float, tag: str) -> list[float]:
    """`count` requests started at a steady `rate` (whatever the answers' pace); each one's
    time to its acknowledgement."""
    bodies = [mention_body(f"{tag}-{n}") for n in range(count)]
    connector = aiohttp.TCPConnector(limit=4 * CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        started = time.perf_counter()
        tasks = []
        for n, body in enumerate(bodies):
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(_post(session, url, secret, body)))
        return list(await asyncio.gather(*tasks))


async def _batched(url: str, count: int, tag: str) -> float:
    """The same mentions posted as JSON arrays of BATCH, BATCHES_IN_FLIGHT at a time."""
    items = [json.loads(mention_body(f"{tag}-{n}")) for n in range(count)]
    batches = [json.dumps(items[s : s + BATCH]).encode() for s in range(0, count, BATCH)]
    slots = asyncio.Semaphore(BATCHES_IN_FLIGHT)
    async with httpx.AsyncClient(timeout=120) as client:

        async def one(batch: bytes) -> None:
            async with slots:
                response = await client.post(url, content=batch)
                assert response.status_code == 202, response.text

        started = time.perf_counter()
        await asyncio.gather(*(one(b) for b in batches))
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
    full_rate_latencies: list[float] = []
    half_rate_latencies: list[float] = []
    half = 0.0
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
        hook = f"http://127.0.0.1:{full_port}{created['webhook_path']}"
        bare_url = f"http://127.0.0.1:{bare_port}"
        arms = {
            "webhook_endpoint": Arm(
                "webhook_endpoint", f"POST /webhooks/generic/{{id}}, {CONCURRENCY} in flight"
            ),
            "bare_starlette": Arm(
                "bare_starlette", f"Starlette route: verify, the same pipeline, {CONCURRENCY}"
            ),
            "batched_ingest": Arm(
                "batched_ingest", f"IngestPipeline.ingest_items, {BATCH} per batch, 2 in flight"
            ),
            "insert_many_raw": Arm("insert_many_raw", f"insert_many of the documents, {BATCH}"),
        }
        secret = created["secret"]
        for round_ in range(rounds + 1):
            tag = f"r{round_}"
            latencies: list[float] = []
            rates = {
                "webhook_endpoint": await _fire(hook, secret, requests, f"w{tag}", latencies),
                "bare_starlette": await _fire(f"{bare_url}/hook", secret, requests, f"b{tag}", []),
                "batched_ingest": await _batched(f"{bare_url}/batch", requests, f"i{tag}"),
                "insert_many_raw": await _batched(f"{bare_url}/insert", requests, f"s{tag}"),
            }
            if round_:  # round 0 warms everything up
                full_rate_latencies.extend(latencies)
                for name, rate in rates.items():
                    arms[name].rates.append(rate)
        half = arms["webhook_endpoint"].median / 2
        half_rate_latencies = await _paced(hook, secret, requests, half, "half")
    finally:
        for process in (full, bare):
            if process is not None:
                process.stop()
        client_store = create_client(MongoSettings(url=infra.mongodb_url))
        for name in databases:
            await client_store.drop_database(name)
        client_store.close()

    m = {name: arm.median for name, arm in arms.items()}
    p99_full = _percentile(full_rate_latencies, 0.99) * 1000
    p99_half = _percentile(half_rate_latencies, 0.99) * 1000
    targets = [
        Target(
            "webhook endpoint / bare Starlette", m["webhook_endpoint"] / m["bare_starlette"], 0.7
        ),
        Target(
            "webhook endpoint / batched ingest", m["webhook_endpoint"] / m["batched_ingest"], 0.5
        ),
        Target(
            "webhook endpoint / raw insert_many", m["webhook_endpoint"] / m["insert_many_raw"], 0.05
        ),
        Target("1000 ms / ack p99 at full rate", 1000 / max(p99_full, 1e-9), 1.0),
        Target("250 ms / ack p99 at half rate", 250 / max(p99_half, 1e-9), 1.0),
    ]
    derived = {
        "ack p50 ms at full rate": _percentile(full_rate_latencies, 0.5) * 1000,
        "ack p99 ms at full rate": p99_full,
        "half rate offered /s": half,
        "ack p50 ms at half rate": _percentile(half_rate_latencies, 0.5) * 1000,
        "ack p99 ms at half rate": p99_half,
    }
    settings: dict[str, Any] = {
        "server": "uvicorn, 1 process each, started by ensemble_shared.serve",
        "client": f"aiohttp, {CONCURRENCY} connections, {requests} signed requests per round",
        "rounds (after 1 warm-up)": rounds,
        "store": infra.store,
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
    }
    listed = list(arms.values())
    show(
        "The signed-webhook edge vs the batched path and the store",
        settings,
        listed,
        derived,
        targets,
    )
    print(f"written: {write('webhook', settings, listed, derived, targets)}")
    return all(t.met for t in targets)
