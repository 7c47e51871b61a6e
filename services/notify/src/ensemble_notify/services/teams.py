"""Teams of the directory: who is in them and who is on call."""

from __future__ import annotations

from ensemble_notify.models.teams import Team, TeamPut
from ensemble_notify.storage.teams import TeamRepository
from ensemble_shared.errors import NotFound


class Teams:
    def __init__(self, teams: TeamRepository) -> None:
        self._teams = teams

    async def put(self, workspace: str, name: str, body: TeamPut) -> Team:
        team = Team.of(workspace, name, body)
        await self._teams.put(team)
        return team

    async def get(self, workspace: str, name: str) -> Team:
        team = await self._teams.get(workspace, name)
        if team is None:
            raise NotFound(f"no team {name!r}")
        return team

    async def list(self, workspace: str, *, limit: int) -> list[Team]:
        return await self._teams.in_workspace(workspace, limit=limit)
