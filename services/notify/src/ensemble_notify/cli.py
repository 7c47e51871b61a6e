"""`python -m ensemble_notify.cli replay`: start a replay and follow it with a progress bar.

    python -m ensemble_notify.cli replay --endpoint EP --since 2026-11-01T00:00:00Z \\
        [--url http://localhost:8004] [--token $ENSEMBLE_TOKEN]
    python -m ensemble_notify.cli replay --delivery DELIVERY_ID

The request carries an Idempotency-Key made once per run, so the CLI's own retries (a
dropped connection, a 503) find the same replay instead of starting a second one.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from ensemble_shared.retries import Backoff

RETRIES = 5
BACKOFF = Backoff(base_seconds=0.2, max_seconds=5.0)


def _pause(attempt: int) -> None:
    """Wait before retry `attempt` (0-based) of a request the service did not answer."""
    time.sleep(BACKOFF.delay(attempt + 1))


def _start(
    client: httpx.Client, path: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> dict[str, Any]:
    """POST with retries under one idempotency key; the replay job as the service reports it."""
    last: str = ""
    for attempt in range(RETRIES):
        try:
            response = client.post(path, json=body, headers=headers)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if response.status_code < 500:
                if response.status_code >= 400:
                    raise SystemExit(f"refused ({response.status_code}): {response.text}")
                job: dict[str, Any] = response.json()
                return job
            last = f"HTTP {response.status_code}"
        _pause(attempt)
    raise SystemExit(f"could not start the replay: {last}")


def _poll(client: httpx.Client, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    for attempt in range(RETRIES):
        try:
            response = client.get(f"/replays/{job_id}", headers=headers)
        except httpx.TransportError:
            _pause(attempt)
            continue
        if response.status_code == 200:
            progress: dict[str, Any] = response.json()
            return progress
        if response.status_code < 500:
            raise SystemExit(f"refused ({response.status_code}): {response.text}")
        _pause(attempt)
    raise SystemExit("lost the service while following the replay")


def _label(job: dict[str, Any]) -> str:
    return f"{job['done']} delivered, {job['failed']} failed"


def _follow_plain(
    poll: Callable[[], dict[str, Any]], job: dict[str, Any], interval: float
) -> dict[str, Any]:
    """A textual bar for terminals without rich."""
    width = 30
    while True:
        total = job["total"]
        finished = job["done"] + job["failed"]
        if total:
            filled = int(width * finished / total)
            bar = "#" * filled + "-" * (width - filled)
            line = f"\r[{bar}] {finished}/{total}  {_label(job)}"
        else:
            line = f"\r[{'?' * width}] {finished}/? ({job['status']})  {_label(job)}"
        sys.stdout.write(line)
        sys.stdout.flush()
        if job["status"] == "finished":
            sys.stdout.write("\n")
            return job
        time.sleep(interval)
        job = poll()


def _follow_rich(
    poll: Callable[[], dict[str, Any]], job: dict[str, Any], interval: float
) -> dict[str, Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        TextColumn("replay {task.fields[job]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[label]}"),
        TimeElapsedColumn(),
    ) as progress:
        task = progress.add_task("replay", total=None, job=job["id"], label="planning")
        while True:
            progress.update(
                task,
                total=job["total"],
                completed=job["done"] + job["failed"],
                label=_label(job) if job["status"] != "planning" else "planning",
            )
            if job["status"] == "finished":
                return job
            time.sleep(interval)
            job = poll()


def replay(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("ENSEMBLE_TOKEN")
    if not token:
        raise SystemExit("a token is needed: --token or ENSEMBLE_TOKEN (see ensemble-token)")
    headers = {"authorization": f"Bearer {token}", "idempotency-key": args.key or uuid.uuid4().hex}
    if args.endpoint:
        since = datetime.fromisoformat(args.since.replace("Z", "+00:00"))
        if since.tzinfo is None:
            raise SystemExit("--since needs a time zone, e.g. 2026-11-01T00:00:00Z")
        path, body = f"/endpoints/{args.endpoint}/replay", {"since": since.isoformat()}
    else:
        path, body = f"/deliveries/{args.delivery}/replay", None
    with httpx.Client(base_url=args.url, timeout=args.request_timeout) as client:
        job = _start(client, path, body, headers)
        print(f"replay {job['id']} started")

        def poll() -> dict[str, Any]:
            return _poll(client, job["id"], {"authorization": headers["authorization"]})

        follow = _follow_plain
        if not args.plain:
            try:
                import rich  # noqa: F401

                follow = _follow_rich
            except ImportError:
                pass
        final = follow(poll, job, args.interval)
    print(
        f"replay {final['id']}: {final['done']} delivered, {final['failed']} failed, "
        f"{final['skipped']} skipped, of {final['total']}"
    )
    return 0 if final["failed"] == 0 else 2


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="ensemble-notify", description="Notify operator commands."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("replay", help="Send deliveries again and follow the replay.")
    target = command.add_mutually_exclusive_group(required=True)
    target.add_argument("--endpoint", help="every finished delivery to this endpoint...")
    target.add_argument("--delivery", help="or this one delivery")
    command.add_argument("--since", help="...created from this ISO time on (with --endpoint)")
    command.add_argument("--url", default="http://localhost:8004", help="notify's base URL")
    command.add_argument("--token", help="an admin bearer token (default: $ENSEMBLE_TOKEN)")
    command.add_argument("--key", help="idempotency key (default: a new one per run)")
    command.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
    command.add_argument("--request-timeout", type=float, default=30.0)
    command.add_argument("--plain", action="store_true", help="a plain text bar, without rich")
    args = parser.parse_args(argv)
    if args.endpoint and not args.since:
        parser.error("--endpoint needs --since")
    sys.exit(replay(args))


if __name__ == "__main__":
    main()
