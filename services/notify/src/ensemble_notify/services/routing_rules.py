"""Routing rules: their administration, and turning an event into targets by its rules."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.routing_rules import RoutingRule, RoutingRules, RoutingRulesPut
from ensemble_notify.models.teams import Team
from ensemble_notify.storage.routing_rules import RoutingRuleRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import utcnow

TargetKind = Literal["person", "member", "external"]


@dataclass(frozen=True)
class Target:
    """Someone an event reaches by rule, before their addresses and preferences are known."""

    kind: TargetKind
    id: str
    urgent: bool = False
    channels: frozenset[ChannelName] | None = None  # None: every channel they have
    email: str | None = None
    name: str | None = None
    approval_link: Mapping[str, Any] | None = field(default=None, compare=False)


def strings(value: object) -> list[str]:
    """An event field holding one id or a list of ids, as a list."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return [str(value)]


def team_members(teams: Mapping[str, Team], names: list[str]) -> list[str]:
    return [person for name in names if name in teams for person in teams[name].members]


def on_call(teams: Mapping[str, Team], name: str | None, now: datetime) -> list[str]:
    """Who is on call in `name`, or, without a name, in every team that has an on-call."""
    if name is not None:
        return teams[name].on_call_at(now) if name in teams else []
    chosen = [t for t in teams.values() if t.on_call or t.on_call_person]
    return [person for team in chosen for person in team.on_call_at(now)]


def role_holders(holders: Mapping[str, Sequence[str]], roles: list[str]) -> list[str]:
    return [person for role in roles for person in holders.get(role, ())]


def person_links(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A step's own decision link of each person it names, by person id."""
    return {
        str(link["approver"]).removeprefix("person:"): link
        for link in data.get("person_links") or ()
    }


def names_roles(data: Mapping[str, Any]) -> bool:
    """Whether an event names approvers by role (so the directory's role holders are needed)."""
    return bool(data.get("roles") or data.get("backup_roles"))


def expand(
    spec: str,
    data: Mapping[str, Any],
    teams: Mapping[str, Team],
    on_call_team: str | None,
    now: datetime,
    holders: Mapping[str, Sequence[str]] | None = None,
) -> list[Target]:
    """The targets one recipient spec names for an event with this `data`; `holders` maps a
    role to the directory's people who hold it."""
    holders = holders or {}

    def people(ids: list[str]) -> list[Target]:
        return [Target("person", i) for i in ids]

    def members(ids: list[str]) -> list[Target]:
        return [Target("member", i) for i in ids]

    kind, _, argument = spec.partition(":")
    if kind == "approvers":
        own_links = person_links(data)
        found = [
            Target("person", i, approval_link=own_links.get(i)) for i in strings(data.get("people"))
        ]
        found += people(team_members(teams, strings(data.get("teams"))))
        found += people(role_holders(holders, strings(data.get("roles"))))
        for link in data.get("links") or ():
            found.append(
                Target(
                    "external",
                    str(link["approver"]),
                    email=link.get("email"),
                    name=link.get("name"),
                    approval_link=link,
                )
            )
        return found
    if kind == "backup":
        ids = [*strings(data.get("backup")), *strings(data.get("backups"))]
        ids += strings(data.get("backup_people"))
        names = [*strings(data.get("backup_team")), *strings(data.get("backup_teams"))]
        ids += role_holders(holders, strings(data.get("backup_roles")))
        return people(ids + team_members(teams, names))
    if kind == "assignee":
        if data.get("assignee"):
            return people(strings(data["assignee"]))
        return people(team_members(teams, strings(data.get("team"))))
    if kind == "audience":
        return members(strings(data.get("audience")))
    if kind == "member":
        return members(strings(data.get("member_id")))
    if kind == "author":
        return members(strings(data.get("author_member_id")))
    if kind == "team":
        return people(team_members(teams, [argument]))
    if kind == "on_call":
        return people(on_call(teams, argument or on_call_team, now))
    if kind == "person":
        return people([argument])
    return []


def targets(
    event_type: str,
    data: Mapping[str, Any],
    rules: RoutingRules,
    teams: Mapping[str, Team],
    now: datetime,
    holders: Mapping[str, Sequence[str]] | None = None,
) -> list[Target]:
    """Every target of every matching rule, each once: urgent if any rule says so, on the
    union of the channels the rules allow (unrestricted if any rule is)."""
    merged: dict[tuple[TargetKind, str], Target] = {}
    for rule in rules.matching(event_type):
        for spec in rule.recipients:
            for target in expand(spec, data, teams, rules.on_call_team, now, holders):
                merged[(target.kind, target.id)] = _merge(
                    merged.get((target.kind, target.id)), target, rule
                )
    return list(merged.values())


def _merge(current: Target | None, target: Target, rule: RoutingRule) -> Target:
    channels = frozenset(rule.channels) if rule.channels is not None else None
    if current is None:
        return Target(
            kind=target.kind,
            id=target.id,
            urgent=rule.urgent,
            channels=channels,
            email=target.email,
            name=target.name,
            approval_link=target.approval_link,
        )
    union = None if current.channels is None or channels is None else current.channels | channels
    return Target(
        kind=current.kind,
        id=current.id,
        urgent=current.urgent or rule.urgent,
        channels=union,
        email=current.email or target.email,
        name=current.name or target.name,
        approval_link=current.approval_link or target.approval_link,
    )


class RoutingRuleService:
    def __init__(self, rules: RoutingRuleRepository) -> None:
        self._rules = rules

    async def get(self, workspace: str) -> RoutingRules:
        return await self._rules.get(workspace) or RoutingRules.default(workspace)

    async def put(self, workspace: str, body: RoutingRulesPut) -> RoutingRules:
        current = await self._rules.get(workspace)
        version = current.version if current else 0
        rules = RoutingRules(
            workspace=workspace,
            rules=body.rules,
            on_call_team=body.on_call_team,
            version=version + 1,
            updated_at=utcnow(),
        )
        if not await self._rules.replace(rules, version=version):
            raise Conflict("the routing rules changed meanwhile; read them and retry")
        return rules

    async def for_workspaces(self, workspaces: set[str]) -> dict[str, RoutingRules]:
        stored = await self._rules.many(workspaces)
        return {w: stored.get(w) or RoutingRules.default(w) for w in workspaces}
