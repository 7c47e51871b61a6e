"""Who is calling a workspace's routes: a person by session, or any caller by access token.

The console calls with the person's session token (roles are read fresh from the store); a
script calls with an access token from its API key, verified with identity's own published
keys exactly as the other services verify it.
"""

from __future__ import annotations

from ensemble_identity.models.context import Actor
from ensemble_identity.models.opaque import kind_of_secret
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.services.tokens import AccessTokens
from ensemble_shared.auth import InvalidToken
from ensemble_shared.errors import Forbidden, Unauthenticated


class Callers:
    def __init__(self, sessions: Sessions, tokens: AccessTokens, people: People) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._people = people

    async def in_workspace(self, credential: str, workspace: str) -> Actor:
        if kind_of_secret(credential) == "session":
            account, session = await self._sessions.authenticate(credential)
            place = await self._people.memberships.get(workspace, account.id)
            if place is None or not session.reaches(place.kind):
                raise Forbidden("you have no place in this workspace that this session reaches")
            return Actor(
                id=account.id,
                kind="account",
                roles=place.roles,
                teams=place.teams,
                name=account.name,
            )
        try:
            claims = self._tokens.verify(credential)
        except InvalidToken as exc:
            raise Unauthenticated(f"invalid bearer token: {exc}") from exc
        if claims.ws != workspace:
            raise Forbidden("this token is for another workspace")
        return Actor(
            id=claims.sub,
            kind="api_key" if claims.kind == "api_key" else "account",
            roles=claims.roles,
            teams=claims.teams,
            name=claims.name or claims.sub,
        )


def require_admin(actor: Actor) -> Actor:
    if not actor.is_admin:
        raise Forbidden("this needs the admin role")
    return actor


def require_staff_member(actor: Actor) -> Actor:
    """Anyone on the company's side: the community does not see teams or make API keys."""
    if not actor.is_staff:
        raise Forbidden("this is for staff")
    return actor


def require_staff(actor: Actor, *roles: str) -> Actor:
    """Admins, or anyone holding one of `roles`."""
    if not actor.is_admin and not set(roles) & set(actor.roles):
        raise Forbidden(f"this needs one of the roles: admin, {', '.join(roles)}")
    return actor
