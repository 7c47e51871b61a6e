"""Ingest's subscriber: the re-drive sweep on request from scheduler's periodic jobs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from ensemble_ingest.services.raw import RawService
from ensemble_shared.events import IngestRedriveRequestedV1
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import SCHEDULES

log = logging.getLogger(__name__)


def register(infra: Infrastructure, raws: RawService) -> None:
    async def redrive(events: Sequence[IngestRedriveRequestedV1]) -> None:
        # One sweep per workspace covers its requests in the batch (re-driving is idempotent);
        # a workspace's job never touches another workspace's payloads.
        stuck_for: dict[str, int] = {}
        for e in events:
            seconds = e.data.stuck_for_seconds
            stuck_for[e.workspace] = min(stuck_for.get(e.workspace, seconds), seconds)
        for workspace, seconds in stuck_for.items():
            count = await raws.redrive(timedelta(seconds=seconds), workspace=workspace)
            log.info("re-drive requested in %s: %d items re-driven", workspace, count)

    infra.subscribe(
        [
            (
                "ingest",
                SCHEDULES,
                redrive,
                [IngestRedriveRequestedV1],
                "Scheduled re-drive sweeps of raw payloads left pending.",
            )
        ]
    )
