"""The directory of people notify can reach."""

from __future__ import annotations

from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.storage import PeopleRepository
from ensemble_shared.errors import NotFound


class Directory:
    def __init__(self, people: PeopleRepository) -> None:
        self._people = people

    async def put(self, workspace: str, person_id: str, body: PersonPut) -> Person:
        person = Person.of(workspace, person_id, body)
        await self._people.put(person)
        return person

    async def get(self, workspace: str, person_id: str) -> Person:
        person = await self._people.get(workspace, person_id)
        if person is None:
            raise NotFound(f"no person {person_id!r}")
        return person

    async def list(self, workspace: str, *, limit: int) -> list[Person]:
        return await self._people.in_workspace(workspace, limit=limit)
