"""Settings (admins write, staff read) and operations: the projection's status, rebuilds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from ensemble_insights.handlers.deps import Current, CurrentRunner
from ensemble_insights.handlers.kafka import group_of
from ensemble_insights.models.settings import SettingsPut, WorkspaceSettings
from ensemble_insights.retention import retention
from ensemble_insights.services.facts import counted_streams
from ensemble_insights.services.settings import SettingsService
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Forbidden
from ensemble_shared.web.auth import Admin, Internal

router = APIRouter(prefix="/insights", tags=["insights admin"])


@router.get("/settings", summary="The workspace's time zone, SLAs and report settings.")
async def get_settings(principal: Internal, runner: CurrentRunner) -> WorkspaceSettings:
    return await SettingsService(runner.settings_repository).get(principal.workspace)


@router.put("/settings", summary="Replace the workspace's settings (a new zone needs no rebuild).")
async def put_settings(
    body: SettingsPut, principal: Admin, runner: CurrentRunner
) -> WorkspaceSettings:
    return await SettingsService(runner.settings_repository).put(principal.workspace, body)


def _operator(principal: Principal, runner: CurrentRunner) -> None:
    """The projection holds every workspace: a workspace's admin does not rebuild it."""
    if not runner.operates(principal.workspace):
        raise Forbidden(
            "rebuilding recomputes every workspace's figures: an operator runs "
            "`python -m ensemble_insights.cli rebuild`, or names this workspace in "
            "INSIGHTS_OPERATOR_WORKSPACES"
        )


@router.get(
    "/admin/status",
    summary="Generation, folding progress, backlog, and whether the streams figures are made "
    "of still keep their whole history (what a rebuild reads). Operators only.",
)
async def status(principal: Admin, runner: CurrentRunner, current: Current) -> dict[str, Any]:
    _operator(principal, runner)
    infra_topics = runner.topics
    progress = await current.progress.read()
    progress.pop("_id", None)
    return {
        "generation": current.generation,
        "consumer_groups": group_of(infra_topics, current.generation),
        "leader_here": current.leadership.holds(),
        "progress": progress,
        "staged_batches": await current.staging.backlog(),
        "streams": await retention(
            runner.bootstrap_servers, [infra_topics.topic(s) for s in counted_streams()]
        ),
    }


@router.post(
    "/admin/rebuild",
    summary="Recompute every workspace's figures from the streams' earliest offsets (a new "
    "generation). Operators only (INSIGHTS_OPERATOR_WORKSPACES).",
    status_code=202,
)
async def rebuild(principal: Admin, runner: CurrentRunner) -> dict[str, Any]:
    _operator(principal, runner)
    generation = await runner.rebuild(by=principal.subject)
    return {
        "generation": generation,
        "consumer_groups": group_of(runner.topics, generation),
        "message": "every replica moves to the new generation within a poll; figures fill in "
        "as the history is read again (GET /insights/admin/status shows progress)",
    }
