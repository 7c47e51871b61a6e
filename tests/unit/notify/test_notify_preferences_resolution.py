"""Preferences: person overrides over workspace defaults, the most specific rule winning."""

from __future__ import annotations

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.preferences import (
    Effective,
    PreferenceRule,
    Preferences,
    QuietHours,
    quiet_hours_of,
    resolve,
)
from ensemble_notify.services.preferences import unsubscribes

EMAIL, IN_APP = ChannelName.EMAIL, ChannelName.IN_APP


def layer(*rules: PreferenceRule, person: str | None = None, **fields: object) -> Preferences:
    return Preferences(workspace="acme", person=person, rules=list(rules), **fields)


def test_nothing_set_means_on_and_immediate() -> None:
    assert resolve("mention.assigned.v1", EMAIL, None, None) == Effective()


def test_workspace_defaults_apply_to_everyone() -> None:
    defaults = layer(PreferenceRule(event="mention.*", channel=EMAIL, delivery="daily"))
    found = resolve("mention.assigned.v1", EMAIL, None, defaults)
    assert (found.delivery, found.source) == ("daily", "workspace")
    assert resolve("mention.assigned.v1", IN_APP, None, defaults).source == "default"


def test_a_persons_rule_wins_over_a_more_specific_default() -> None:
    defaults = layer(PreferenceRule(event="mention.assigned.v1", channel=EMAIL, delivery="hourly"))
    mine = layer(PreferenceRule(event="*", channel=EMAIL, enabled=False), person="camille")
    found = resolve("mention.assigned.v1", EMAIL, mine, defaults)
    assert (found.enabled, found.source) == (False, "person")


def test_within_a_layer_the_most_specific_rule_wins() -> None:
    mine = layer(
        PreferenceRule(event="*", enabled=False),
        PreferenceRule(event="approval.*", delivery="weekly"),
        PreferenceRule(event="approval.step_opened.v1", channel=EMAIL, email_if_unread_minutes=15),
        PreferenceRule(event="approval.step_opened.v1", channel="*", delivery="daily"),
        person="camille",
    )
    assert not resolve("mention.received.v1", EMAIL, mine, None).enabled
    assert resolve("approval.completed.v1", EMAIL, mine, None).delivery == "weekly"
    exact_channel = resolve("approval.step_opened.v1", EMAIL, mine, None)
    assert (exact_channel.delivery, exact_channel.email_if_unread_minutes) == ("immediate", 15)
    assert resolve("approval.step_opened.v1", IN_APP, mine, None).delivery == "daily"


def test_of_equally_specific_rules_the_later_wins() -> None:
    mine = layer(
        PreferenceRule(event="mention.*", delivery="daily"),
        PreferenceRule(event="mention.*", delivery="hourly"),
        person="camille",
    )
    assert resolve("mention.assigned.v1", EMAIL, mine, None).delivery == "hourly"


def test_with_rule_replaces_the_rule_for_the_same_event_and_channel() -> None:
    mine = layer(PreferenceRule(event="mention.assigned.v1", channel=EMAIL), person="camille")
    off = mine.with_rule(PreferenceRule(event="mention.assigned.v1", channel=EMAIL, enabled=False))
    assert len(off.rules) == 1
    assert not off.rules[0].enabled
    assert off.version == mine.version + 1


def test_quiet_hours_person_overrides_workspace_and_can_opt_out() -> None:
    night = QuietHours.model_validate({"start": "22:00", "end": "07:00"})
    lunch = QuietHours.model_validate({"start": "12:00", "end": "13:30"})
    off = QuietHours.model_validate({"start": "00:00", "end": "00:01", "enabled": False})
    defaults = layer(quiet_hours=night)
    assert quiet_hours_of(None, defaults) == night
    assert quiet_hours_of(layer(person="c"), defaults) == night
    assert quiet_hours_of(layer(person="c", quiet_hours=lunch), defaults) == lunch
    assert quiet_hours_of(layer(person="c", quiet_hours=off), defaults) is None


def test_a_person_turning_preferences_off_announces_each_one_once() -> None:
    before = layer(PreferenceRule(event="approval.*", channel=EMAIL, enabled=False), person="ana")
    after = layer(
        PreferenceRule(event="approval.*", channel=EMAIL, enabled=False),  # off already
        PreferenceRule(event="*", channel=IN_APP, enabled=False),
        PreferenceRule(event="mention.*", channel="*", enabled=False),
        PreferenceRule(event="content.*", channel=EMAIL, delivery="daily"),  # still on
        person="ana",
    )
    events = unsubscribes(before, after, "preferences")
    assert [(e.data.event, e.data.channel, e.data.via) for e in events] == [
        ("*", "in_app", "preferences"),
        ("mention.*", "*", "preferences"),
    ]
    assert {(e.subject, e.workspace, e.data.person) for e in events} == {
        ("acme/ana", "acme", "ana")
    }
    assert len({e.id for e in events}) == 2
    assert unsubscribes(after, after, "link") == []  # turning off again announces nothing
    defaults = layer(PreferenceRule(event="*", channel=EMAIL, enabled=False))
    assert unsubscribes(layer(), defaults, "preferences") == []  # the workspace's, not a person's
