"""The directory of people notify can reach."""

from __future__ import annotations

from ensemble_notify.models.people import Person, PersonPut
from ensemble_notify.storage import PeopleRepository
from ensemble_shared.errors import Conflict, NotFound


class Directory:
    def __init__(self, people: PeopleRepository) -> None:
        self._people = people

    async def put(self, workspace: str, person_id: str, body: PersonPut) -> Person:
        """Add or replace a person; an account followed from identity keeps identity's
        fields (its email above all: only identity, where the person proved it, changes it)."""
        current = await self._people.get(workspace, person_id)
        person = Person.of(workspace, person_id, body)
        if current is not None and current.origin == "identity":
            rewritten = current.owned_by_identity(body)
            if rewritten:
                raise Conflict(
                    f"{', '.join(rewritten)} of {person_id!r} come from identity (the account's "
                    "own settings and its workspace roles); send them unchanged"
                )
            person = person.model_copy(
                update={"teams": current.teams, "origin": "identity", "as_of": current.as_of}
            )
        await self._people.put(person)
        return person

    async def get(self, workspace: str, person_id: str) -> Person:
        person = await self._people.get(workspace, person_id)
        if person is None:
            raise NotFound(f"no person {person_id!r}")
        return person

    async def list(self, workspace: str, *, limit: int) -> list[Person]:
        return await self._people.in_workspace(workspace, limit=limit)
