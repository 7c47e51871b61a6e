"""A person's own account: profile, password, email verification."""

from __future__ import annotations

from datetime import timedelta

from ensemble_identity.models.accounts import (
    Account,
    AccountView,
    EmailChange,
    PasswordChange,
    ProfileUpdate,
)
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.sessions import Session
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.letters import Letters
from ensemble_identity.services.links import Links
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_shared.errors import Conflict, Forbidden


class AccountService:
    def __init__(
        self,
        people: People,
        passwords: Passwords,
        sessions: Sessions,
        links: Links,
        letters: Letters,
        audit: Audit,
        *,
        verification_ttl: timedelta,
    ) -> None:
        self._people = people
        self._passwords = passwords
        self._sessions = sessions
        self._links = links
        self._letters = letters
        self._audit = audit
        self._verification_ttl = verification_ttl

    async def update_profile(self, account: Account, update: ProfileUpdate) -> AccountView:
        return AccountView.of(await self._people.update(account, update.changes()))

    async def change_password(
        self, account: Account, session: Session, change: PasswordChange, origin: Origin
    ) -> int:
        """Set a new password and sign every other session out; returns how many ended."""
        if account.password_hash is not None:
            current = change.current_password or ""
            if not await self._passwords.verify(account.password_hash, current):
                raise Forbidden("the current password is not right")
        self._passwords.check_policy(change.new_password, email=account.email)
        hashed = await self._passwords.hash(change.new_password)
        await self._people.accounts.update(account.id, {"password_hash": hashed}, [])
        ended = await self._sessions.end_all(account.id, keep=session)
        await self._audit.record(
            None,
            Actor.account(account.id),
            origin,
            "password.changed",
            account.id,
            sessions_ended=ended,
        )
        return ended

    async def request_email_change(self, account: Account, change: EmailChange) -> None:
        """Email a link to the new address; the account keeps its address until the link is
        followed. An address another account holds gets nothing, and the answer is the same
        (who has an account is not told)."""
        if account.password_hash is not None:
            current = change.current_password or ""
            if not await self._passwords.verify(account.password_hash, current):
                raise Forbidden("the current password is not right")
        if change.email == account.email:
            raise Conflict("this is already the account's address")
        holder = await self._people.by_email(change.email)
        if holder is not None and holder.id != account.id:  # its own key: a change cut short
            return
        await self._letters.email_change(account, change.email, self._verification_ttl)

    async def change_email(self, secret: str, origin: Origin) -> AccountView:
        """Follow the link: the proven address becomes the account's (announced to every
        workspace, audited there), the old one no longer signs in and is told."""
        link = await self._links.open("email_change", secret)
        account = await self._people.account(link.account_id or "")
        if account is None:
            await self._links.spend(link)
            raise Conflict("this link is for an account that no longer exists")
        owner = await self._people.accounts.claim_email(link.email, account.id)
        if owner != account.id:
            await self._links.spend(link)
            raise Conflict("this address now belongs to another account")
        await self._links.spend(link)
        old = account.email
        updated = await self._people.update(account, {"email": link.email, "email_verified": True})
        await self._people.accounts.release_email(old, account.id)
        for place in await self._people.memberships.of_account(account.id):
            await self._audit.record(
                place.workspace,
                Actor.account(account.id),
                origin,
                "email.changed",
                account.id,
                email=link.email,
                previous_email=old,
            )
        await self._letters.email_changed(updated, old, self._links.home())
        return AccountView.of(updated)

    async def request_verification(self, account: Account) -> None:
        if account.email_verified:
            raise Conflict("this address is already verified")
        await self._letters.verification(account, self._verification_ttl)

    async def verify_email(self, secret: str) -> AccountView:
        link = await self._links.open("verify", secret)
        account = await self._people.account(link.account_id or "")
        if account is None or account.email != link.email:
            await self._links.spend(link)
            raise Conflict("this link is for an address the account no longer has")
        await self._links.spend(link)
        if account.email_verified:
            return AccountView.of(account)
        return AccountView.of(await self._people.update(account, {"email_verified": True}))
