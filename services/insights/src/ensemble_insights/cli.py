"""`python -m ensemble_insights.cli`: operator commands of insights.

`rebuild` starts a new generation of the projection: new consumer groups (which read every
stream from its earliest offset) and new collections. Running replicas follow within
`INSIGHTS_GENERATION_POLL_SECONDS`; stopped ones start on it. `status` shows the generation.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass

from ensemble_insights.config import InsightsSettings
from ensemble_insights.storage.settings import Generations
from ensemble_shared.storage import create_client


async def _run(command: str, by: str) -> None:
    settings = InsightsSettings()
    client = create_client(settings.mongo)
    try:
        generations = Generations(client[settings.database]["meta"])
        prefix = settings.kafka.topic_prefix
        if command == "rebuild":
            number = await generations.advance(by=by)
            group = f"{prefix}insights.g{number}"
            print(
                f"generation {number}: consumer groups {group}.<stream>, from the earliest offsets"
            )
        else:
            number = await generations.current()
            print(f"generation {number}: consumer groups {prefix}insights.g{number}.<stream>")
    finally:
        client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ensemble_insights.cli", description=__doc__)
    parser.add_argument("command", choices=["rebuild", "status"])
    parser.add_argument("--by", default=None, help="who asked (recorded); default: the OS user")
    args = parser.parse_args(argv)
    asyncio.run(_run(args.command, args.by or f"cli:{getpass.getuser()}"))


if __name__ == "__main__":
    main()
