"""`python -m bench` (or `./dev bench`): find or provision Kafka and the store, run, report."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # payload builders
# The receivers the benchmarks deliver to listen on 127.0.0.1.
os.environ.setdefault("ENSEMBLE_ALLOW_PRIVATE_URLS", "true")

from bench import (
    console,
    driver,
    inbox_scale,
    ingest,
    insights,
    memory,
    notify,
    portal,
    timers,
    voting,
    webhook,
)
from ensemble_devtools.infra import resolve


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--mentions", type=int, default=5000, help="per round, per arm")
    parser.add_argument("--per-item", type=int, default=300, help="mentions per round, per-item")
    parser.add_argument("--requests", type=int, default=1000, help="webhook requests per round")
    parser.add_argument("--operations", type=int, default=3000, help="driver documents per arm")
    parser.add_argument("--votes", type=int, default=2000, help="vote operations per round")
    parser.add_argument("--events", type=int, default=1000, help="notify fan-out events")
    parser.add_argument("--recipients", type=int, default=50, help="recipients per event")
    parser.add_argument(
        "--pages", type=int, default=100, help="console and portal page requests per round"
    )
    parser.add_argument("--insights-mentions", type=int, default=5000, help="live insights arm")
    parser.add_argument(
        "--insights-events", type=int, default=1_000_000, help="events of the insights rebuild"
    )
    parser.add_argument("--insights-reads", type=int, default=30, help="reads per query kind")
    parser.add_argument("--inbox-reads", type=int, default=20, help="inbox reads per query")
    parser.add_argument(
        "--only",
        choices=[
            "driver",
            "ingest",
            "webhook",
            "voting",
            "timers",
            "notify",
            "insights",
            "console",
            "memory",
            "portal",
            "inbox",
        ],
        help="run one benchmark",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ensemble-bench-") as data:
        if args.only == "inbox":  # its stores are its own: no Kafka, no shared store
            sys.exit(0 if asyncio.run(inbox_scale.run(Path(data), reads=args.inbox_reads)) else 1)
        infra = resolve(Path(data))
        try:
            met = True
            if args.only in (None, "driver"):
                met &= asyncio.run(
                    driver.run(infra, rounds=args.rounds, operations=args.operations)
                )
            if args.only in (None, "ingest"):
                met &= asyncio.run(
                    ingest.run(
                        infra, rounds=args.rounds, mentions=args.mentions, per_item=args.per_item
                    )
                )
            if args.only in (None, "webhook"):
                met &= asyncio.run(
                    webhook.run(
                        infra, rounds=args.rounds, requests=args.requests, log_dir=Path(data)
                    )
                )
            if args.only in (None, "voting"):
                met &= asyncio.run(voting.run(infra, rounds=args.rounds, operations=args.votes))
            if args.only in (None, "timers"):
                met &= asyncio.run(timers.run(infra))
            if args.only in (None, "insights"):
                met &= asyncio.run(
                    insights.run(
                        infra,
                        mentions=args.insights_mentions,
                        rebuild_events=args.insights_events,
                        reads=args.insights_reads,
                    )
                )
            if args.only in (None, "notify"):
                met &= asyncio.run(
                    notify.run(infra, rounds=1, events=args.events, recipients=args.recipients)
                )
            if args.only in (None, "console"):
                met &= asyncio.run(
                    console.run(infra, rounds=args.rounds, requests=args.pages, log_dir=Path(data))
                )
            if args.only in (None, "memory"):
                met &= asyncio.run(
                    memory.run(infra, mentions=args.requests, pages=args.pages, log_dir=Path(data))
                )
            if args.only is None:
                met &= asyncio.run(inbox_scale.run(Path(data), reads=args.inbox_reads))
            if args.only in (None, "portal"):
                met &= asyncio.run(
                    portal.run(infra, rounds=args.rounds, requests=args.pages, log_dir=Path(data))
                )
        finally:
            infra.stop()
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
