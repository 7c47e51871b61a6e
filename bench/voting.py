"""Voting through feedback's HTTP API against raw upserts of the same votes, same run.

Load: 200 members on 10 ideas, offered at 1,000 operations/s (votes, ~15 % retracts), each
member acting in order (its next operation starts at its scheduled time or when its previous
one is answered, whichever is later), so the final state is known: the last action of each
(member, idea). Arms, interleaved every round after a warm-up round:

- api: feedback's app in-process (lifespan, middleware, auth, the vote chain with its events
  on real Kafka) driven through httpx's ASGI transport — the real HTTP stack minus the socket,
  so the measure is the service, not a client process competing for the same 2 cores;
- raw_upsert: the same operations as `update_one({_id: idea|member}, {$set: {voted}},
  upsert=True)` with motor on the same store, no API, no events;
- api_saturated / raw_saturated: the same operations with no pacing (200 members at once),
  to show the ceiling of each.

The members, moderation and activity services are the real ones: 200 members sign up and are
made trusted through the API before the clock starts; each vote then checks the voter's trust,
resolves merged identities and records the vote as member activity. Counts are checked exactly
after every round.

Run: `./dev bench --only voting` (`--rounds`, `--votes`).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.main import create_app
from ensemble_feedback.services.vote_ledger import VoteLedger
from ensemble_shared.auth import Role
from ensemble_shared.events import new_id
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import Collection, create_client

MEMBERS = 200
IDEAS = 10
RATE = 1000.0  # operations offered per second
RETRACT_SHARE = 0.15
WORKSPACE = "bench"


@dataclass(frozen=True)
class Op:
    at: float  # seconds after the start
    member: int
    idea: int
    vote: bool  # False: retract


def schedule(count: int, seed: int) -> list[Op]:
    rng = random.Random(seed)
    return [
        Op(
            at=n / RATE,
            member=rng.randrange(MEMBERS),
            idea=rng.randrange(IDEAS),
            vote=rng.random() >= RETRACT_SHARE,
        )
        for n in range(count)
    ]


def expected(ops: Iterable[Op]) -> list[int]:
    last: dict[tuple[int, int], bool] = {}
    for op in ops:
        last[(op.idea, op.member)] = op.vote
    return [sum(1 for (i, _), v in last.items() if i == idea and v) for idea in range(IDEAS)]


async def drive(ops: list[Op], act: Callable[[Op], Awaitable[None]], *, paced: bool) -> float:
    """Operations per second from the first offer to the last answer."""
    by_member: dict[int, list[Op]] = {}
    for op in ops:
        by_member.setdefault(op.member, []).append(op)
    started = time.perf_counter()

    async def member(queue: list[Op]) -> None:
        for op in queue:
            if paced:
                delay = started + op.at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            await act(op)

    await asyncio.gather(*(member(q) for q in by_member.values()))
    return len(ops) / (time.perf_counter() - started)


async def sign_up(
    http: httpx.AsyncClient, issuer: LocalIssuer, staff: dict[str, str]
) -> list[dict[str, str]]:
    """Member tokens for MEMBERS trusted members (set up before the clock starts, 20 at once)."""
    gate = asyncio.Semaphore(20)

    async def one(m: int) -> dict[str, str]:
        async with gate:
            return await sign_up_one(http, issuer, staff, m)

    return list(await asyncio.gather(*(one(m) for m in range(MEMBERS))))


async def sign_up_one(
    http: httpx.AsyncClient, issuer: LocalIssuer, staff: dict[str, str], m: int
) -> dict[str, str]:
    """One member (a token as identity's magic link gives) with a profile, made trusted; its
    member headers."""
    member_id = f"bench-member-{m}"
    headers = issuer.bearer(WORKSPACE, Role.MEMBER, subject=member_id, ttl=timedelta(hours=2))
    signed = await http.post(
        f"/workspaces/{WORKSPACE}/members", json={"display_name": f"m{m}"}, headers=headers
    )
    signed.raise_for_status()
    trusted = await http.put(
        f"/members/{member_id}/trust", json={"level": "trusted"}, headers=staff
    )
    trusted.raise_for_status()
    return headers


async def run(infra: Infra, *, rounds: int, operations: int) -> bool:
    issuer = LocalIssuer()
    staff = issuer.bearer(WORKSPACE, Role.MANAGER, subject="bench", ttl=timedelta(hours=2))
    client = create_client(MongoSettings(url=infra.mongodb_url))
    arms = {
        "api": Arm(
            "api", f"POST/DELETE /submissions/{{id}}/vote in-process, {RATE:.0f} ops/s offered"
        ),
        "raw_upsert": Arm("raw_upsert", f"motor update_one upsert, {RATE:.0f} ops/s offered"),
        "api_saturated": Arm("api_saturated", "the API, unpaced (200 members at once)"),
        "raw_saturated": Arm("raw_saturated", "raw upserts, unpaced"),
    }
    databases: list[str] = []

    async def api_round(ops: list[Op], paced: bool) -> float:
        prefix = f"bv{new_id()[:8]}"
        settings = FeedbackSettings(
            kafka=KafkaSettings(bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"{prefix}."),
            mongo=MongoSettings(url=infra.mongodb_url),
            auth=issuer.settings(),
            secret_key="bench-" + new_id(),
            database=f"{prefix}_db",
            # limits are checked on every vote, set high enough never to refuse the load
            rate_limit_ip_writes="1000000/minute",
            rate_limit_member_writes="1000000/minute",
        )
        databases.append(settings.database)
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request
            ledger: VoteLedger = app.state.services.board.ledger
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://feedback") as http:
                headers = await sign_up(http, issuer, staff)
                ideas: list[str] = []
                for i in range(IDEAS):
                    created = await http.post(
                        "/submissions",
                        json={"kind": "idea", "title": f"Idea number {i} for the bench"},
                        headers=headers[0],
                    )
                    created.raise_for_status()
                    ideas.append(created.json()["submission"]["id"])

                async def act(op: Op) -> None:
                    method = http.post if op.vote else http.delete
                    response = await method(
                        f"/submissions/{ideas[op.idea]}/vote", headers=headers[op.member]
                    )
                    response.raise_for_status()

                rate = await drive(ops, act, paced=paced)
                ledger._tallies.clear()  # read the counts back from the store
                counts = []
                for idea in ideas:
                    got = await http.get(f"/submissions/{idea}", headers=headers[0])
                    counts.append(got.json()["votes"])
        want = expected(ops)
        assert counts == want, f"api counts {counts} != expected {want}"
        return rate

    async def raw_round(ops: list[Op], paced: bool) -> float:
        name = f"bv{new_id()[:8]}_raw"
        databases.append(name)
        votes: Collection = client[name]["votes"]

        async def act(op: Op) -> None:
            await votes.update_one(
                {"_id": f"{op.idea}|{op.member}"},
                {"$set": {"idea": op.idea, "member": op.member, "voted": op.vote}},
                upsert=True,
            )

        rate = await drive(ops, act, paced=paced)
        counts = [await votes.count_documents({"idea": i, "voted": True}) for i in range(IDEAS)]
        want = expected(ops)
        assert counts == want, f"raw counts {counts} != expected {want}"
        return rate

    async def one_round(n: int, record: bool) -> None:
        ops = schedule(operations, seed=n)
        measured = {
            "api": await api_round(ops, paced=True),
            "raw_upsert": await raw_round(ops, paced=True),
            "api_saturated": await api_round(ops, paced=False),
            "raw_saturated": await raw_round(ops, paced=False),
        }
        if record:
            for name, rate in measured.items():
                arms[name].rates.append(rate)
        for database in databases:
            await client.drop_database(database)
        databases.clear()

    try:
        await one_round(-1, record=False)
        for n in range(rounds):
            await one_round(n, record=True)
    finally:
        for database in databases:
            await client.drop_database(database)
        client.close()

    m = {name: arm.median for name, arm in arms.items()}
    targets = [
        Target("api / raw_upsert at 1,000 ops/s offered", m["api"] / m["raw_upsert"], 0.5),
    ]
    derived = {
        "api_saturated / raw_saturated (reported)": m["api_saturated"] / m["raw_saturated"],
    }
    settings_shown: dict[str, Any] = {
        "store": infra.store,
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
        "members / ideas": f"{MEMBERS} / {IDEAS}",
        "operations per round": operations,
        "offered rate": f"{RATE:.0f}/s, retracts {RETRACT_SHARE:.0%}",
        "rounds (after 1 warm-up)": rounds,
        "counts": "checked exact against the last action of each (member, idea), every arm",
    }
    listed = list(arms.values())
    show("Voting through the API vs raw upserts", settings_shown, listed, derived, targets)
    path = write("voting", settings_shown, listed, derived, targets)
    print(f"written: {path}")
    return all(t.met for t in targets)
