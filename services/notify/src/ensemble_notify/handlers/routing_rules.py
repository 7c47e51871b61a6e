"""Routing rules for admins: which events reach whom in the workspace."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_notify.handlers.dependencies import Rules
from ensemble_notify.models.routing_rules import RoutingRules, RoutingRulesPut
from ensemble_shared.web.auth import Admin

router = APIRouter(tags=["routing"])


@router.get(
    "/routing/rules",
    summary="The workspace's routing rules (the defaults while it has none of its own).",
)
async def get_rules(principal: Admin, rules: Rules) -> RoutingRules:
    return await rules.get(principal.workspace)


@router.put("/routing/rules", summary="Replace the workspace's routing rules.")
async def put_rules(body: RoutingRulesPut, principal: Admin, rules: Rules) -> RoutingRules:
    return await rules.put(principal.workspace, body)
