"""Staff API for routing: the workspace's rules (admins), teams and members (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from ensemble_notify.models.members import Member
from ensemble_notify.models.routing import RoutingRules, RoutingRulesPut
from ensemble_notify.models.teams import Team, TeamPut
from ensemble_notify.services.members import MemberDirectory
from ensemble_notify.services.routing_rules import RoutingRuleService
from ensemble_notify.services.teams import Teams
from ensemble_shared.web.auth import Admin, Manager


def _rules(request: Request) -> RoutingRuleService:
    service: RoutingRuleService = request.app.state.routing_rules
    return service


def _teams(request: Request) -> Teams:
    service: Teams = request.app.state.teams
    return service


def _members(request: Request) -> MemberDirectory:
    service: MemberDirectory = request.app.state.members
    return service


Rules = Annotated[RoutingRuleService, Depends(_rules)]
TeamService = Annotated[Teams, Depends(_teams)]
Members = Annotated[MemberDirectory, Depends(_members)]
Name = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$:]+$")]

router = APIRouter()


@router.get(
    "/routing/rules",
    tags=["routing"],
    summary="The workspace's routing rules (the defaults while it has none of its own).",
)
async def get_rules(principal: Admin, rules: Rules) -> RoutingRules:
    return await rules.get(principal.workspace)


@router.put("/routing/rules", tags=["routing"], summary="Replace the workspace's routing rules.")
async def put_rules(body: RoutingRulesPut, principal: Admin, rules: Rules) -> RoutingRules:
    return await rules.put(principal.workspace, body)


@router.put("/teams/{name}", tags=["people"], summary="Add or replace a team.")
async def put_team(name: Name, body: TeamPut, principal: Manager, teams: TeamService) -> Team:
    return await teams.put(principal.workspace, name, body)


@router.get("/teams/{name}", tags=["people"], summary="One team, its members and on-call.")
async def get_team(name: str, principal: Manager, teams: TeamService) -> Team:
    return await teams.get(principal.workspace, name)


@router.get("/teams", tags=["people"], summary="The workspace's teams.")
async def list_teams(
    principal: Manager,
    teams: TeamService,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[Team]:
    return await teams.list(principal.workspace, limit=limit)


@router.get(
    "/members/{member_id}",
    tags=["people"],
    summary="A community member as notify knows them (from feedback's events).",
)
async def get_member(member_id: str, principal: Manager, members: Members) -> Member:
    return await members.get(principal.workspace, member_id)
