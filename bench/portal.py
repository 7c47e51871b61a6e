"""The community portal's throughput (issue 14's bar): public pages per second against the
feedback API calls each page makes, made directly with the same client in the same run
(target: pages/s ≥ 0.7 times API call sequences/s).

Feedback, identity and the console run as processes (the dev stack's `Stack`, on real Kafka and the
store). Before the clock starts, the workspace gets 50 published ideas (trusted members' ideas,
with votes), comments on one of them, and field events to come and past ones. An anonymous
visitor then reads, every round and N times each, interleaved:

- the board `/c/{ws}/` (trending, 50 ideas) against feedback's `GET /workspaces/{ws}/board`;
- an idea's page against `GET …/board/{id}` then `GET …/board/{id}/comments`, as the page;
- the events page against the upcoming and the past lists, fetched together, as the page.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.report import Target, show, write
from bench.requests import measure, ok
from ensemble_devtools import processes
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_devtools.stack import Stack
from ensemble_shared.auth import Role

WORKSPACE = "bench"
THRESHOLD = 0.7
IDEAS = 50
MEMBERS = 10
COMMENTS = 10
EVENTS = 5  # to come, and as many past
PAIRS = (("board page", "board API"), ("idea page", "idea APIs"), ("events page", "events APIs"))


async def _seed(http: httpx.AsyncClient, feedback: str, issuer: LocalIssuer) -> str:
    """The board, the comments and the events the pages show; returns the commented idea."""
    ttl = timedelta(hours=2)
    staff = issuer.bearer(WORKSPACE, Role.MANAGER, subject="bench", ttl=ttl)

    async def post(path: str, headers: dict[str, str], **body: Any) -> Any:
        return ok(await http.post(f"{feedback}{path}", json=body or None, headers=headers)).json()

    members = []
    for m in range(MEMBERS):
        headers = issuer.bearer(WORKSPACE, Role.MEMBER, subject=f"bench-member-{m}", ttl=ttl)
        await post(f"/workspaces/{WORKSPACE}/members", headers, display_name=f"Member {m}")
        ok(
            await http.put(
                f"{feedback}/members/bench-member-{m}/trust",
                json={"level": "trusted"},
                headers=staff,
            )
        )
        members.append(headers)
    ideas = []
    for i in range(IDEAS):
        author = members[i % MEMBERS]
        created = await post(
            "/submissions", author, kind="idea", title=f"Idea {i}: a better way to do thing {i}"
        )
        ideas.append(created["submission"]["id"])
        for voter in members[: i % 7]:
            await post(f"/submissions/{ideas[-1]}/vote", voter)
    for c in range(COMMENTS):
        await post(f"/submissions/{ideas[0]}/comments", members[c % MEMBERS], body=f"Yes! {c}")
    now = datetime.now(UTC)
    for e in range(EVENTS):
        for starts in (now + timedelta(days=e + 1), now - timedelta(days=e + 2)):
            await post(
                "/field-events",
                staff,
                title=f"Meet-up {e}",
                description="Come and talk.",
                place={"name": "La Halle", "address": "1 rue de la Halle, Lyon"},
                starts_at=starts.isoformat(),
                ends_at=(starts + timedelta(hours=2)).isoformat(),
                timezone="Europe/Paris",
                capacity=20,
            )
    return str(ideas[0])


async def run(infra: Infra, *, rounds: int, requests: int, log_dir: Path) -> bool:
    issuer = LocalIssuer()
    tag = secrets.token_hex(4)
    stack = Stack(
        infra=infra,
        log_dir=log_dir / "portal-bench",
        secret="bench-secret-" + secrets.token_hex(24),
        topic_prefix=f"b{tag}.",
        database_prefix=f"b{tag}_",
        env={"LOG_LEVEL": "WARNING"},
        pinned_jwks=issuer.jwks_json(),
    )
    port = processes.free_port()
    console_url = f"http://127.0.0.1:{port}"
    try:
        stack.start(
            "feedback",
            env={
                "ENSEMBLE_PUBLIC_URL": console_url,
                "FEEDBACK_RATE_LIMIT_MEMBER_WRITES": "100000/minute",
                "FEEDBACK_RATE_LIMIT_IP_WRITES": "100000/minute",
            },
        )
        stack.start("identity", env={"ENSEMBLE_PUBLIC_URL": console_url})
        stack.wait_ready("feedback", "identity")  # the console is ready once identity is
        stack.start(
            "console", port=port, env={"ENSEMBLE_PUBLIC_URL": console_url, **stack.console_env()}
        )
        stack.wait_ready("console")
        api = f"{stack.services['feedback'].url}/workspaces/{WORKSPACE}"
        portal = f"{console_url}/c/{WORKSPACE}"
        async with httpx.AsyncClient(timeout=60) as http:
            idea = await _seed(http, stack.services["feedback"].url, issuer)
            shown = ok(await http.get(f"{portal}/")).text
            cards = len(re.findall(r'<h2><a href="/c/bench/ideas/', shown))
            if cards != IDEAS:
                raise RuntimeError(f"the board shows {cards} ideas, not {IDEAS}")

            async def board_page() -> None:
                ok(await http.get(f"{portal}/"))

            async def board_api() -> None:
                ok(await http.get(f"{api}/board", params={"sort": "trending", "limit": 50}))

            async def idea_page() -> None:
                ok(await http.get(f"{portal}/ideas/{idea}"))

            async def idea_apis() -> None:
                ok(await http.get(f"{api}/board/{idea}"))
                ok(await http.get(f"{api}/board/{idea}/comments", params={"limit": 200}))

            async def events_page() -> None:
                ok(await http.get(f"{portal}/events"))

            async def events_apis() -> None:
                for answer in await asyncio.gather(
                    http.get(f"{api}/field-events", params={"when": "upcoming", "limit": 50}),
                    http.get(f"{api}/field-events", params={"when": "past", "limit": 20}),
                ):
                    ok(answer)

            arms = {
                "board page": (board_page, f"GET /c/{WORKSPACE}/ (trending, {IDEAS} ideas)"),
                "board API": (board_api, "feedback GET /workspaces/{ws}/board?sort=trending"),
                "idea page": (idea_page, f"GET /c/{WORKSPACE}/ideas/{{id}} ({COMMENTS} comments)"),
                "idea APIs": (idea_apis, "GET …/board/{id}, then …/board/{id}/comments"),
                "events page": (events_page, f"GET /c/{WORKSPACE}/events"),
                "events APIs": (events_apis, "GET …/field-events upcoming and past, together"),
            }
            measured = await measure(arms, rounds=rounds, requests=requests)
    finally:
        stack.stop_all()
    targets = [
        Target(f"{page} / its API calls", measured[page].median / measured[apis].median, THRESHOLD)
        for page, apis in PAIRS
    ]
    settings = {"rounds": rounds, "requests per arm per round": requests, "ideas": IDEAS}
    listed = list(measured.values())
    show("Portal pages vs the feedback API calls they make", settings, listed, {}, targets)
    write("portal", settings, listed, {}, targets)
    return all(t.met for t in targets)


if __name__ == "__main__":  # pragma: no cover - `./dev bench --only portal` runs it
    raise SystemExit("run with: ./dev bench --only portal")
