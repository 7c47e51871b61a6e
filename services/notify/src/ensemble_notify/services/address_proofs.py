"""Proving a person's addresses: nothing personal goes to an address until its owner opens the
verification link sent there and confirms it.

Anyone who could write an address into the directory could otherwise receive that person's
notifications and, worse, their signed decision links, which decide as them. So an address set
through the API (by the person or an admin; services/people.py says who may) is only
`pending`: it gets one verification message with a signed, expiring link to the console's page
(`/hooks/verify-address/<token>`), and only the page's POST (`POST /addresses/verification`)
moves it into use. GET only shows (mail scanners and chat unfurlers fetch links). The link
names one pending entry by its id, so it works once: confirming removes the entry, and setting
another address on that channel replaces it (the older link then answers 410). Identity's
verified email needs no link: identity already had it proven (services/accounts.py).

Every change is recorded in the insert-only `address_changes` log: requested (by whom),
confirmed (through the link), removed (by whom).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from ensemble_notify.channels.verification import Verification, VerificationMessages
from ensemble_notify.exceptions import LinkGone
from ensemble_notify.models.addresses import AddressChange, AddressVerification, ChangeKind
from ensemble_notify.models.people import (
    ADDRESS_FIELDS,
    AddressChannel,
    PendingAddress,
    Person,
)
from ensemble_notify.services.preference_links import verified
from ensemble_notify.storage import AddressChangeLog, PeopleRepository
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.errors import Invalid, NotFound
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.outbound import require_callable
from ensemble_shared.settings import OutboundSettings

PURPOSE = "notify-address-verification"
PAGE = "/hooks/verify-address/"
LIFETIME = timedelta(days=2)
GONE = "this verification link was already used, or a newer address replaced it"


@dataclass(frozen=True)
class Claim:
    workspace: str
    person: str
    channel: AddressChannel
    address: str
    verification: str


class VerificationLinks:
    def __init__(self, capabilities: Capabilities, console_url: str) -> None:
        self._capabilities = capabilities
        self._console = console_url.rstrip("/")

    def token(self, workspace: str, person: str, pending: PendingAddress) -> str:
        claims = {
            "ws": workspace,
            "sub": person,
            "ch": pending.channel,
            "addr": pending.address,
            "v": pending.verification,
        }
        return self._capabilities.sign(claims, expires=pending.expires_at)

    def page(self, workspace: str, person: str, pending: PendingAddress) -> str:
        return f"{self._console}{PAGE}{self.token(workspace, person, pending)}"

    def read(self, token: str) -> Claim:
        claims = verified(self._capabilities, token, "verification link")
        fields = ("ws", "sub", "ch", "addr", "v")
        if not all(isinstance(claims.get(f), str) for f in fields) or claims["ch"] not in (
            ADDRESS_FIELDS
        ):
            raise Invalid("verification link: it does not name an address")
        return Claim(claims["ws"], claims["sub"], claims["ch"], claims["addr"], claims["v"])


class AddressProofs:
    def __init__(
        self,
        people: PeopleRepository,
        changes: AddressChangeLog,
        links: VerificationLinks,
        messages: VerificationMessages,
        outbound: OutboundSettings,
    ) -> None:
        self._people = people
        self._changes = changes
        self._links = links
        self._messages = messages
        self._outbound = outbound

    async def apply(
        self, person: Person, wanted: Mapping[AddressChannel, str | None], *, by: str
    ) -> Person:
        """Store `person` with each channel of `wanted` changed: None removes the channel's
        address (in use or pending), an address becomes pending and gets its verification
        message. A chat webhook the system may not call is refused at once (422); a message
        that could not be delivered leaves its entry pending with the `error`, and setting
        the address again sends a new one."""
        now = utcnow()
        for channel, address in wanted.items():
            if address is not None and channel != "email":
                await require_callable(address, self._outbound, field=ADDRESS_FIELDS[channel])
        pending = {p.channel: p for p in person.pending}
        in_use: dict[str, str | None] = {}
        for channel, address in wanted.items():
            pending.pop(channel, None)
            if address is None:
                in_use[ADDRESS_FIELDS[channel]] = None
                continue
            pending[channel] = PendingAddress(
                channel=channel,
                address=address,
                verification=new_id(),
                requested_by=by,
                requested_at=now,
                expires_at=now + LIFETIME,
            )
        person = person.model_copy(
            update={**in_use, "pending": tuple(pending.values()), "updated_at": now}
        )
        await self._people.put(person)
        for channel, address in wanted.items():
            kind: ChangeKind = "removed" if address is None else "requested"
            await self._record(person, channel, kind, address, by=by)
        sent: list[PendingAddress] = []
        for entry in person.pending:
            error = await self._send(person, entry) if entry.channel in wanted else None
            sent.append(entry.model_copy(update={"error": error}) if error else entry)
        if tuple(sent) != person.pending:
            person = person.model_copy(update={"pending": tuple(sent)})
            await self._people.put(person)
        return person

    async def _send(self, person: Person, entry: PendingAddress) -> str | None:
        """None when the address took the message, else why not."""
        result = await self._messages.send(
            Verification(
                workspace=person.workspace,
                person=person.id,
                name=person.name,
                language=person.language,
                pending=entry,
                url=self._links.page(person.workspace, person.id, entry),
            )
        )
        if result.delivered:
            return None
        return f"{entry.channel}: {result.error or result.status_code}"

    async def read(self, token: str) -> AddressVerification:
        """What the link confirms; reads only."""
        claim, person = await self._holder(token)
        entry = person.pending_on(claim.channel)
        if entry is not None and entry.verification == claim.verification:
            status = "pending"
            expires_at = entry.expires_at
        elif person.address(claim.channel) == claim.address and await self._confirmed(claim):
            status, expires_at = "confirmed", utcnow()
        else:
            raise LinkGone(GONE)
        return AddressVerification(
            workspace=claim.workspace,
            person=claim.person,
            channel=claim.channel,
            address=claim.address,
            language=person.language,
            status=status,
            expires_at=expires_at,
        )

    async def confirm(self, token: str) -> AddressVerification:
        """Put the link's address in use (once; a second use answers 410)."""
        claim, person = await self._holder(token)
        entry = person.pending_on(claim.channel)
        if entry is None or entry.verification != claim.verification:
            raise LinkGone(GONE)
        person = person.model_copy(
            update={
                ADDRESS_FIELDS[claim.channel]: entry.address,
                "pending": tuple(p for p in person.pending if p is not entry),
                "updated_at": utcnow(),
            }
        )
        await self._people.put(person)  # the same write however many confirm at once
        if not await self._record(
            person, claim.channel, "confirmed", entry.address, by="link", id_=claim.verification
        ):
            raise LinkGone(GONE)  # another request confirmed it first: this link is spent
        return await self.read(token)

    async def _holder(self, token: str) -> tuple[Claim, Person]:
        claim = self._links.read(token)
        person = await self._people.get(claim.workspace, claim.person)
        if person is None:
            raise NotFound("verification link: this person is no longer in the directory")
        return claim, person

    async def changes(self, workspace: str, person: str, *, limit: int) -> list[AddressChange]:
        return await self._changes.of_person(workspace, person, limit=limit)

    async def _confirmed(self, claim: Claim) -> bool:
        found = await self._changes.get(f"confirmed:{claim.verification}")
        return found is not None and found.workspace == claim.workspace

    async def _record(
        self,
        person: Person,
        channel: AddressChannel,
        kind: ChangeKind,
        address: str | None,
        *,
        by: str,
        id_: str | None = None,
    ) -> bool:
        """False when a change with this id was already recorded (a confirmation is one)."""
        return await self._changes.record(
            AddressChange(
                id=f"confirmed:{id_}" if id_ else new_id(),
                workspace=person.workspace,
                person=person.id,
                channel=channel,
                change=kind,
                address=address,
                by=by,
                at=utcnow(),
            )
        )
