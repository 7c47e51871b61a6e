"""Password sign-in: rate-limited, locked out after repeated failures, one generic answer.

Whatever went wrong (no such email, no password on the account, wrong password) the answer
is the same 401 with the same message, after the same argon2 work.
"""

from __future__ import annotations

from ensemble_identity.models.context import Origin
from ensemble_identity.models.sessions import SessionOpened, SignIn
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.services.throttle import Throttle
from ensemble_shared.errors import Unauthenticated

GENERIC_FAILURE = "the email or the password is not right"


class SignInService:
    def __init__(
        self, people: People, passwords: Passwords, sessions: Sessions, throttle: Throttle
    ) -> None:
        self._people = people
        self._passwords = passwords
        self._sessions = sessions
        self._throttle = throttle

    async def password(self, request: SignIn, origin: Origin) -> SessionOpened:
        await self._throttle.attempt(origin.ip)
        await self._throttle.check_lockout(request.email, origin.ip)
        account = await self._people.by_email(request.email)
        stored = account.password_hash if account else None
        if account is None or not await self._passwords.verify(stored, request.password):
            await self._throttle.failed(request.email, origin.ip)
            raise Unauthenticated(GENERIC_FAILURE)
        await self._throttle.succeeded(request.email)
        if stored is not None and self._passwords.needs_rehash(stored):
            rehashed = await self._passwords.hash(request.password)
            await self._people.accounts.update(account.id, {"password_hash": rehashed}, [])
        return await self._sessions.open(account, "password", origin)

    async def purge(self) -> int:
        """Forget failures older than the lockout window (the collection stays small)."""
        return await self._throttle.purge()
