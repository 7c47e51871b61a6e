"""Sessions: opened by a sign-in, held by the console, exchanged for access tokens.

A session token is opaque (stored as its digest), ends at the latest `lifetime` after sign-in
or `idle` after its last use, and is revoked by deleting it: one session, all but the current
one (password change), or all (sign-out everywhere, password reset). Last use is written at
most every few minutes, not on every request: an update costs a collection scan on FerretDB.
Access tokens already issued run out on their own within their short lifetime.
"""

from __future__ import annotations

from datetime import timedelta

from ensemble_identity.models.accounts import Account, AccountView
from ensemble_identity.models.context import Origin
from ensemble_identity.models.opaque import digest, new_secret, short_id
from ensemble_identity.models.sessions import (
    AccessToken,
    Me,
    Method,
    Place,
    Session,
    SessionOpened,
    SessionView,
)
from ensemble_identity.services.people import People
from ensemble_identity.services.tokens import AccessTokens
from ensemble_identity.storage import SessionRepository, WorkspaceRepository
from ensemble_shared.errors import Forbidden, NotFound, Unauthenticated
from ensemble_shared.events import utcnow

TOUCH_EVERY = timedelta(minutes=5)


class Sessions:
    def __init__(
        self,
        sessions: SessionRepository,
        people: People,
        workspaces: WorkspaceRepository,
        tokens: AccessTokens,
        *,
        lifetime: timedelta,
        idle: timedelta,
    ) -> None:
        self._sessions = sessions
        self._people = people
        self._workspaces = workspaces
        self._tokens = tokens
        self.lifetime = lifetime
        self.idle = idle

    async def open(self, account: Account, method: Method, origin: Origin) -> SessionOpened:
        secret = new_secret("session")
        now = utcnow()
        session = Session(
            digest=digest(secret),
            id=short_id(),
            account_id=account.id,
            method=method,
            created_at=now,
            expires_at=now + self.lifetime,
            last_seen_at=now,
            ip=origin.ip,
            user_agent=origin.user_agent[:300],
        )
        await self._sessions.insert(session)
        return SessionOpened(
            session_token=secret,
            session_id=session.id,
            expires_at=session.ends_at(self.idle),
            account=AccountView.of(account),
        )

    async def authenticate(self, secret: str) -> tuple[Account, Session]:
        session = await self._sessions.get(digest(secret))
        now = utcnow()
        if session is None:
            raise Unauthenticated("the session has ended; sign in again")
        if session.ends_at(self.idle) <= now:
            await self._sessions.delete(session.digest)
            raise Unauthenticated("the session has ended; sign in again")
        account = await self._people.account(session.account_id)
        if account is None:
            raise Unauthenticated("the session has ended; sign in again")
        if now - session.last_seen_at >= TOUCH_EVERY:
            await self._sessions.touch(session.digest, now)
            session = session.model_copy(update={"last_seen_at": now})
        return account, session

    async def me(self, account: Account, session: Session) -> Me:
        places = await self._people.memberships.of_account(account.id)
        workspaces = await self._workspaces.many([p.workspace for p in places])
        return Me(
            account=AccountView.of(account),
            places=[
                Place(
                    workspace=p.workspace,
                    workspace_name=workspaces[p.workspace].name,
                    kind=p.kind,
                    roles=p.roles,
                    teams=p.teams,
                    reachable=session.reaches(p.kind),
                )
                for p in sorted(places, key=lambda p: p.workspace)
                if p.workspace in workspaces
            ],
        )

    async def listing(self, account: Account, current: Session) -> list[SessionView]:
        now = utcnow()
        return [
            SessionView.of(s, current=s.digest == current.digest, idle=self.idle)
            for s in await self._sessions.of_account(account.id)
            if s.ends_at(self.idle) > now
        ]

    async def revoke(self, account: Account, session_id: str) -> None:
        if not await self._sessions.delete_one_of(account.id, session_id):
            raise NotFound("no such session")

    async def end(self, session: Session) -> None:
        await self._sessions.delete(session.digest)

    async def end_all(self, account_id: str, *, keep: Session | None = None) -> int:
        return await self._sessions.delete_all_of(
            account_id, keep=keep.digest if keep is not None else None
        )

    async def access_token(self, account: Account, session: Session, workspace: str) -> AccessToken:
        """A token for the caller's place in `workspace`, with today's roles and teams."""
        membership = await self._people.memberships.get(workspace, account.id)
        if membership is None:
            raise Forbidden("you are not a member of this workspace")
        if not session.reaches(membership.kind):
            raise Forbidden(
                "this session was opened by a sign-in link; sign in with your password "
                "to work in this workspace"
            )
        return await self._tokens.for_place(account, membership, session)

    async def purge(self) -> int:
        return await self._sessions.purge(utcnow())
