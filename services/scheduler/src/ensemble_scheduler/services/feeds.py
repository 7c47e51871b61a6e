"""Signed .ics feed links: calendar apps send no headers, so the feed URL carries a capability
token (`ensemble_shared.capabilities`, purpose "calendar-feed") naming a workspace and a team."""

from __future__ import annotations

from datetime import datetime

from ensemble_shared.capabilities import Capabilities, CapabilityExpired, CapabilityInvalid
from ensemble_shared.errors import Unauthenticated

PURPOSE = "calendar-feed"


class FeedSigner:
    def __init__(self, secret: str) -> None:
        self._capabilities = Capabilities(secret, PURPOSE)

    def sign(self, workspace: str, team: str | None, expires: datetime) -> str:
        return self._capabilities.sign({"ws": workspace, "team": team}, expires=expires)

    def verify(self, token: str, *, now: datetime) -> tuple[str, str | None]:
        """(workspace, team) of an authentic unexpired token; Unauthenticated otherwise."""
        try:
            claims = self._capabilities.verify(token, now=now)
            workspace, team = str(claims["ws"]), claims["team"]
        except CapabilityExpired:
            raise Unauthenticated(
                "token: this calendar feed link expired; ask for a new one"
            ) from None
        except (CapabilityInvalid, KeyError):
            raise Unauthenticated("token: this calendar feed link is not valid") from None
        return workspace, (str(team) if team is not None else None)
