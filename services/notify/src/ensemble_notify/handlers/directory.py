"""The directory for staff: people, teams (with on-call), and members as notify knows them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_notify.handlers.dependencies import Members, People, TeamDirectory
from ensemble_notify.models.addresses import AddressChange, AddressesPut
from ensemble_notify.models.members import Member
from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.models.teams import Team, TeamPut
from ensemble_shared.web.auth import CurrentPrincipal, Manager
from ensemble_shared.web.pagination import PageSize

PersonId = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$]+$")]
TeamName = Annotated[str, Path(min_length=1, max_length=200, pattern=r"^[^/$:]+$")]

router = APIRouter(tags=["people"])


@router.put(
    "/people/{person_id}",
    summary="Add or replace a person.",
    description="Managers describe people (name, language, time zone, roles). An address "
    "that changes (email, Slack, Teams) is the person's own or an admin's to change (403 "
    "otherwise) and is only `pending` until its owner confirms the verification message "
    "sent to it; the fields `email`, `slack_webhook_url` and `teams_webhook_url` of the "
    "answer are the addresses in use. An identity account's email comes from identity (409).",
    responses={
        403: {"description": "An address change by someone else than the person or an admin."}
    },
)
async def put_person(
    person_id: PersonId, body: PersonPut, principal: Manager, people: People
) -> Person:
    return await people.put(principal, person_id, body)


@router.put(
    "/people/{person_id}/addresses",
    summary="Set or remove my addresses (the person, or an admin); each new one is proven.",
    description="A field given sets that address (null removes it); a field left out stays. "
    "A new address is `pending`: a verification message with a signed, single-use link "
    "(valid 2 days) goes to it, and nothing else does until the link's page confirms it. "
    "Giving a pending address again sends a fresh message. Anyone but the person and an "
    "admin gets 403; a chat webhook the system may not call, 422. A message the address did "
    "not take leaves its pending entry with an `error`.",
)
async def put_addresses(
    person_id: PersonId, body: AddressesPut, principal: CurrentPrincipal, people: People
) -> Person:
    return await people.set_addresses(principal, person_id, body)


@router.get(
    "/people/{person_id}/address-changes",
    summary="The audit of a person's addresses: requested, confirmed, removed, by whom.",
)
async def address_changes(
    person_id: PersonId, principal: CurrentPrincipal, people: People, limit: PageSize = 100
) -> list[AddressChange]:
    return await people.address_changes(principal, person_id, limit=limit)


@router.get(
    "/people/{person_id}",
    summary="One person of the directory (managers, or the person themselves).",
    description="Anyone else gets 403: the person reads their own addresses, in use and "
    "pending, to change them (`PUT /people/{person_id}/addresses`).",
)
async def get_person(person_id: str, principal: CurrentPrincipal, people: People) -> Person:
    return await people.read(principal, person_id)


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
