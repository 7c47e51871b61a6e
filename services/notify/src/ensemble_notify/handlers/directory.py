"""The directory for staff: people, teams (with on-call), and members as notify knows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_notify.handlers.dependencies import Members, People, TeamDirectory
from ensemble_notify.models.members import Member
from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.models.teams import Team, TeamPut
from ensemble_shared.web.auth import Manager
from ensemble_shared.web.pagination import PageSize

PersonId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$]+$")]
TeamName = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$:]+$")]

router = APIRouter(tags=["people"])


@router.put("/people/{person_id}", summary="Add or replace a person.")
async def put_person(
    person_id: PersonId, body: PersonPut, principal: Manager, people: People
) -> Person:
    return await people.put(principal.workspace, person_id, body)


@router.get("/people/{person_id}", summary="One person of the directory.")
async def get_person(person_id: str, principal: Manager, people: People) -> Person:
    return await people.get(principal.workspace, person_id)


@router.get("/people", summary="The workspace's directory.")
async def list_people(principal: Manager, people: People, limit: PageSize = 100) -> list[Person]:
    return await people.list(principal.workspace, limit=limit)


@router.put("/teams/{name}", summary="Add or replace a team.")
async def put_team(name: TeamName, body: TeamPut, principal: Manager, teams: TeamDirectory) -> Team:
    return await teams.put(principal.workspace, name, body)


@router.get("/teams/{name}", summary="One team, its members and on-call.")
async def get_team(name: str, principal: Manager, teams: TeamDirectory) -> Team:
    return await teams.get(principal.workspace, name)


@router.get("/teams", summary="The workspace's teams.")
async def list_teams(principal: Manager, teams: TeamDirectory, limit: PageSize = 100) -> list[Team]:
    return await teams.list(principal.workspace, limit=limit)


@router.get(
    "/members/{member_id}",
    summary="A community member as notify knows them (from feedback's events).",
)
async def get_member(member_id: str, principal: Manager, members: Members) -> Member:
    return await members.get(principal.workspace, member_id)
