"""The directory of people notify can reach, and who may change their addresses.

Anyone who manages the directory (managers, admins) describes people: name, language, time
zone, roles. Addresses are different: a person's decision links and notifications go there, so
only the person themselves or an admin changes them (a manager gets 403), and every new
address is proven by its owner before use (services/address_proofs.py).
"""

from __future__ import annotations

from ensemble_notify.models.addresses import AddressChange, AddressesPut
from ensemble_notify.models.people import (
    ADDRESS_FIELDS,
    AddressChannel,
    Person,
    PersonPut,
    address_of,
)
from ensemble_notify.services.address_proofs import AddressProofs
from ensemble_notify.storage import PeopleRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict, Forbidden, NotFound

Wanted = dict[AddressChannel, str | None]


def may_change_addresses(principal: Principal, person_id: str) -> bool:
    return principal.subject == person_id or Role.ADMIN in principal.roles


def changed(current: Person | None, given: Wanted) -> Wanted:
    """The channels `given` really changes: an address already in use or pending is no
    change, nor is "none" where there is nothing in use."""
    found: Wanted = {}
    for channel, address in given.items():
        in_use = current.address(channel) if current else None
        waiting = current.pending_on(channel) if current else None
        if address is None:
            if in_use is not None:
                found[channel] = None
        elif address != in_use and (waiting is None or waiting.address != address):
            found[channel] = address
    return found


class Directory:
    def __init__(self, people: PeopleRepository, proofs: AddressProofs) -> None:
        self._people = people
        self._proofs = proofs

    async def put(self, principal: Principal, person_id: str, body: PersonPut) -> Person:
        """Add or replace a person; an account followed from identity keeps identity's
        fields (its email above all: only identity, where the person proved it, changes it).
        Addresses that change are the person's or an admin's to change, and each new one
        waits for its proof."""
        workspace = principal.workspace
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
        wanted = changed(current, {c: address_of(body, c) for c in ADDRESS_FIELDS})
        self._authorize(principal, person_id, wanted)
        if current is not None:  # addresses in use and pending stay as they are
            kept = {f: getattr(current, f) for f in ADDRESS_FIELDS.values()}
            person = person.model_copy(update={**kept, "pending": current.pending})
        if not wanted:
            await self._people.put(person)
            return person
        return await self._proofs.apply(person, wanted, by=principal.subject)

    async def set_addresses(
        self, principal: Principal, person_id: str, body: AddressesPut
    ) -> Person:
        """Set (each to be proven) or remove the addresses `body` names; an address given
        again while pending gets a fresh verification message."""
        if not may_change_addresses(principal, person_id):
            raise Forbidden(self._only(person_id))
        person = await self.get(principal.workspace, person_id)
        wanted: Wanted = {}
        for channel, field in ADDRESS_FIELDS.items():
            if field not in body.model_fields_set:
                continue
            address = address_of(body, channel)
            if address is None and (person.address(channel) or person.pending_on(channel)):
                wanted[channel] = None
            elif address is not None and address != person.address(channel):
                wanted[channel] = address
        if "email" in wanted and person.origin == "identity":
            raise Conflict(
                f"the email of {person_id!r} comes from identity, where its owner proved it; "
                "change it there"
            )
        if not wanted:
            return person
        return await self._proofs.apply(person, wanted, by=principal.subject)

    @staticmethod
    def _authorize(principal: Principal, person_id: str, wanted: Wanted) -> None:
        if wanted and not may_change_addresses(principal, person_id):
            raise Forbidden(f"{Directory._only(person_id)} ({', '.join(sorted(wanted))})")

    @staticmethod
    def _only(person_id: str) -> str:
        return (
            f"only {person_id!r} themselves or an admin may change their addresses: their "
            "notifications and decision links go there"
        )

    async def read(self, principal: Principal, person_id: str) -> Person:
        """An entry as its reader may see it: managers (and viewers, admins) read the
        directory; anyone reads their own entry, to see and change their addresses."""
        if principal.subject != person_id and not principal.may_read_as(Role.MANAGER):
            raise Forbidden("this needs one of the roles: manager")
        return await self.get(principal.workspace, person_id)

    async def get(self, workspace: str, person_id: str) -> Person:
        person = await self._people.get(workspace, person_id)
        if person is None:
            raise NotFound(f"no person {person_id!r}")
        return person

    async def address_changes(
        self, principal: Principal, person_id: str, *, limit: int
    ) -> list[AddressChange]:
        """The audit of a person's addresses: theirs to read, or an admin's."""
        if not may_change_addresses(principal, person_id):
            raise Forbidden(f"only {person_id!r} themselves or an admin reads this audit")
        return await self._proofs.changes(principal.workspace, person_id, limit=limit)

    async def list(self, workspace: str, *, limit: int) -> list[Person]:
        return await self._people.in_workspace(workspace, limit=limit)
