"""A person's own account: profile, password, email verification."""

from __future__ import annotations

from datetime import timedelta

from ensemble_identity.models.accounts import Account, AccountView, PasswordChange, ProfileUpdate
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
