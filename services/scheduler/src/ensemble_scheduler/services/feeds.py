"""Signed .ics feed links: calendar apps send no headers, so the feed URL carries a capability
token (`ensemble_shared.capabilities`, purpose "calendar-feed") naming a workspace, a team and
the link's id. Each link handed out is recorded (never its token) so its owner or an admin can
revoke it: a revoked or unknown link answers 410, a link made before links had ids too."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.models.calendar import FeedLink, FeedLinkRecord
from ensemble_scheduler.storage.feeds import FeedLinkRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Forbidden, NotFound, Unauthenticated
from ensemble_shared.events import new_id, utcnow

PURPOSE = "calendar-feed"


class FeedSigner:
    def __init__(self, secret: str) -> None:
        self._capabilities = Capabilities(secret, PURPOSE)

    def sign(self, link_id: str, workspace: str, team: str | None, expires: datetime) -> str:
        claims = {"id": link_id, "ws": workspace, "team": team}
        return self._capabilities.sign(claims, expires=expires)

    def verify(self, token: str, *, now: datetime) -> tuple[str | None, str, str | None]:
        """(link id, workspace, team) of an authentic unexpired token; Unauthenticated
        otherwise. The id is None in links made before they had one."""
        try:
            claims = self._capabilities.verify(token, now=now)
            workspace, team, link_id = str(claims["ws"]), claims["team"], claims.get("id")
        except CapabilityExpired:
            raise Unauthenticated(
                "token: this calendar feed link expired; ask for a new one"
            ) from None
        except (CapabilityInvalid, KeyError):
            raise Unauthenticated("token: this calendar feed link is not valid") from None
        return (
            str(link_id) if link_id is not None else None,
            workspace,
            str(team) if team is not None else None,
        )


class FeedLinks:
    """Hands out, lists, revokes and opens feed links."""

    def __init__(
        self, links: FeedLinkRepository, signer: FeedSigner, *, public_url: str, ttl: timedelta
    ) -> None:
        self._links = links
        self._signer = signer
        self._public_url = public_url.rstrip("/")
        self._ttl = ttl

    async def create(self, principal: Principal, team: str | None) -> FeedLink:
        """A signed feed URL of the workspace, or of one team's channels (its members' and
        managers' to ask for)."""
        if (
            team is not None
            and team not in principal.teams
            and not principal.may_read_as(Role.MANAGER)
        ):
            raise Forbidden(f"you are not in team {team!r}")
        now = utcnow()
        record = FeedLinkRecord(
            id=new_id(),
            workspace=principal.workspace,
            team=team,
            created_by=principal.subject,
            created_at=now,
            expires_at=now + self._ttl,
        )
        await self._links.insert(record)
        token = self._signer.sign(record.id, record.workspace, team, record.expires_at)
        url = f"{self._public_url}/calendar.ics?{urlencode({'token': token})}"
        return FeedLink(id=record.id, url=url, team=team, expires_at=record.expires_at)

    async def listed(self, principal: Principal, *, limit: int) -> list[FeedLinkRecord]:
        """An admin sees every link of the workspace; anyone else the links they asked for."""
        mine = None if principal.has_any(Role.ADMIN) else principal.subject
        return await self._links.of_workspace(principal.workspace, created_by=mine, limit=limit)

    async def revoke(self, principal: Principal, link_id: str) -> FeedLinkRecord:
        """Its owner or an admin revokes it, for good; revoking twice changes nothing."""
        record = await self._links.get(link_id)
        if record is None or record.workspace != principal.workspace:
            raise NotFound(f"no feed link {link_id!r}")
        if record.created_by != principal.subject and not principal.has_any(Role.ADMIN):
            raise Forbidden("only who asked for this feed link, or an admin, revokes it")
        if record.revoked_at is not None:
            return record
        await self._links.revoke(record, by=principal.subject, at=utcnow())
        return await self._links.get(link_id) or record  # the revocation that won, as stored

    async def open(self, token: str) -> tuple[str, str | None]:
        """(workspace, team) of a link that still works: authentic, unexpired, not revoked."""
        link_id, workspace, team = self._signer.verify(token, now=utcnow())
        if link_id is None:
            raise Gone(
                "this calendar feed link cannot be revoked, so it no longer works; ask for a "
                "new one",
                reason="superseded",
            )
        if await self._links.revoked(link_id):
            raise Gone("this calendar feed link was revoked; ask for a new one", reason="revoked")
        return workspace, team
