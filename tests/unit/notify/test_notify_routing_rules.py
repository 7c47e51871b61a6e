"""Routing rules as data: glob matching, recipient specs, teams and on-call, merging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.routing_rules import DEFAULT_RULES, RoutingRule, RoutingRules
from ensemble_notify.models.teams import Shift, Team
from ensemble_notify.services.routing_rules import Target, expand, targets

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def team(name: str, members: list[str], **fields: Any) -> Team:
    return Team(name=name, workspace="acme", members=members, **fields)


TEAMS = {
    "legal": team("legal", ["lea", "louis"]),
    "ops": team(
        "ops",
        ["olga", "omar", "otto"],
        on_call=[
            Shift(
                person="omar", starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=1)
            )
        ],
        on_call_person="olga",
    ),
}


def ids(found: list[Target]) -> list[tuple[str, str]]:
    return sorted((t.kind, t.id) for t in found)


def test_globs_match_event_types() -> None:
    rule = RoutingRule(event="approval.*", recipients=("approvers",))
    assert rule.matches("approval.step_opened.v1")
    assert not rule.matches("mention.assigned.v1")
    assert RoutingRule(event="*", recipients=("person:x",)).matches("anything.v1")


@pytest.mark.parametrize("spec", ["everyone", "team:", "person:a b", "person:$x", "approver"])
def test_unknown_recipient_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValidationError):
        RoutingRule(event="*", recipients=(spec,))


def test_approvers_are_the_steps_people_teams_and_outside_approvers() -> None:
    data = {
        "people": ["camille"],
        "teams": ["legal"],
        "links": [{"approver": "ext-1", "email": "o@x.org", "name": "O", "url": "https://s/d"}],
    }
    found = expand("approvers", data, TEAMS, None, NOW)
    assert ids(found) == [
        ("external", "ext-1"),
        ("person", "camille"),
        ("person", "lea"),
        ("person", "louis"),
    ]
    [external] = [t for t in found if t.kind == "external"]
    assert external.email == "o@x.org"


def test_a_named_person_gets_their_own_decision_link_and_team_members_none() -> None:
    link = {"approver": "person:camille", "name": "camille", "url": "https://s/approval-links/t"}
    data = {"people": ["camille", "lea"], "teams": ["legal"], "person_links": [link]}
    found = {t.id: t for t in expand("approvers", data, TEAMS, None, NOW)}
    assert found["camille"].approval_link == link
    assert found["louis"].approval_link is None
    # Lea is named and in the team: her link (none here) is not lost by the merge of rules.
    assert found["lea"].approval_link is None


def test_a_step_or_backup_naming_a_role_reaches_the_directorys_holders_of_it() -> None:
    holders = {"approver": ["ada", "lea"], "manager": ["max"]}
    step = {"people": ["camille"], "roles": ["approver"]}
    assert ids(expand("approvers", step, TEAMS, None, NOW, holders)) == [
        ("person", "ada"),
        ("person", "camille"),
        ("person", "lea"),
    ]
    assert ids(expand("approvers", step, TEAMS, None, NOW)) == [("person", "camille")]
    escalation = {"roles": ["approver"], "backup_roles": ["manager"]}
    assert ids(expand("backup", escalation, TEAMS, None, NOW, holders)) == [("person", "max")]


def test_backup_reads_the_escalation_people_and_teams() -> None:
    data = {"people": ["camille"], "backup_people": ["bob"], "backup_teams": ["legal"]}
    assert ids(expand("backup", data, TEAMS, None, NOW)) == [
        ("person", "bob"),
        ("person", "lea"),
        ("person", "louis"),
    ]


def test_assignee_else_the_team() -> None:
    assert ids(expand("assignee", {"assignee": "amy", "team": "legal"}, TEAMS, None, NOW)) == [
        ("person", "amy")
    ]
    assert ids(expand("assignee", {"assignee": None, "team": "legal"}, TEAMS, None, NOW)) == [
        ("person", "lea"),
        ("person", "louis"),
    ]


def test_on_call_follows_shifts_then_the_current_field_then_the_whole_team() -> None:
    assert ids(expand("on_call:ops", {}, TEAMS, None, NOW)) == [("person", "omar")]
    later = NOW + timedelta(hours=3)
    assert ids(expand("on_call:ops", {}, TEAMS, None, later)) == [("person", "olga")]
    assert ids(expand("on_call:legal", {}, TEAMS, None, NOW)) == [
        ("person", "lea"),
        ("person", "louis"),
    ]
    assert ids(expand("on_call", {}, TEAMS, "ops", NOW)) == [("person", "omar")]
    # Without a designated team: every team that has an on-call arrangement.
    assert ids(expand("on_call", {}, TEAMS, None, NOW)) == [("person", "omar")]
    assert expand("on_call:nobody", {}, TEAMS, None, NOW) == []


def test_audience_members_and_named_people() -> None:
    assert ids(expand("audience", {"audience": ["m1", "m2"]}, {}, None, NOW)) == [
        ("member", "m1"),
        ("member", "m2"),
    ]
    assert ids(expand("member", {"member_id": "m9"}, {}, None, NOW)) == [("member", "m9")]
    assert ids(expand("author", {"author_member_id": "m3"}, {}, None, NOW)) == [("member", "m3")]
    assert ids(expand("person:pat", {}, {}, None, NOW)) == [("person", "pat")]
    assert ids(expand("team:legal", {}, TEAMS, None, NOW)) == [
        ("person", "lea"),
        ("person", "louis"),
    ]


def test_every_matching_rule_adds_recipients_each_once_urgent_if_any_rule_says_so() -> None:
    rules = RoutingRules(
        workspace="acme",
        rules=[
            RoutingRule(
                event="mention.*", recipients=("team:legal",), channels=(ChannelName.EMAIL,)
            ),
            RoutingRule(event="mention.spike_detected.v1", recipients=("person:lea",), urgent=True),
            RoutingRule(event="approval.*", recipients=("person:zed",)),
        ],
    )
    found = {t.id: t for t in targets("mention.spike_detected.v1", {}, rules, TEAMS, NOW)}
    assert sorted(found) == ["lea", "louis"]
    assert found["lea"].urgent
    assert found["lea"].channels is None
    assert not found["louis"].urgent
    assert found["louis"].channels == frozenset({ChannelName.EMAIL})


def test_default_rules_route_what_notify_always_routed() -> None:
    rules = RoutingRules.default("acme")
    assert rules.defaults
    assert rules.rules == list(DEFAULT_RULES)
    step = targets("approval.step_opened.v1", {"people": ["camille"]}, rules, TEAMS, NOW)
    assert ids(step) == [("person", "camille")]
    spike = targets("mention.spike_detected.v1", {"topic": "*"}, rules, TEAMS, NOW)
    assert ids(spike) == [("person", "omar")]
    assert spike[0].urgent
    status = targets("submission.status_changed.v1", {"audience": ["m1"]}, rules, TEAMS, NOW)
    assert ids(status) == [("member", "m1")]
    assert targets("mention.received.v1", {}, rules, TEAMS, NOW) == []
