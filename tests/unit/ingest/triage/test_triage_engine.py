"""Triage of a mention: language, sentiment, VIP, rules, priority; and its settings."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ensemble_ingest.models.triage import Priority, TriageResult
from ensemble_ingest.triage import Rule, Triage, TriageSettings

NEUTRAL_POST = "What time does the shop open on Sunday? I need to pick up my order there"
NEGATIVE_POST = "Worst customer service ever, still waiting for my refund 😡"
FRENCH_POST = "Mon colis n'est toujours pas arrivé, c'est honteux"


def rule(
    query: str,
    *,
    rule_id: str | None = None,
    tags: list[str] | None = None,
    priority: Priority | None = None,
    team: str | None = None,
    mark_as: str | None = None,
    enabled: bool = True,
) -> Rule:
    return Rule.model_validate(
        {
            **({"id": rule_id} if rule_id else {}),
            "name": query,
            "query": query,
            "enabled": enabled,
            "actions": {"tags": tags or [], "priority": priority, "team": team, "mark_as": mark_as},
        }
    )


def triage(
    text: str, *, platform: str = "x", author: str = "someone", **settings: object
) -> TriageResult:
    return Triage(TriageSettings.model_validate(settings)).apply(
        text, platform=platform, author_handle=author
    )


def test_a_plain_mention_is_normal_priority_and_untagged() -> None:
    result = triage(NEUTRAL_POST)
    assert result == TriageResult(
        language="en",
        sentiment="neutral",
        sentiment_score=0.0,
        tags=[],
        priority="normal",
        team=None,
        kind=None,
        vip=False,
        matched_rules=[],
    )


def test_a_negative_mention_gets_the_negative_priority() -> None:
    assert triage(NEGATIVE_POST).priority == "high"
    assert triage(NEGATIVE_POST, negative_priority="urgent").priority == "urgent"
    assert triage(NEGATIVE_POST).sentiment == "negative"


def test_a_french_mention_is_detected_and_scored_in_french() -> None:
    result = triage(FRENCH_POST)
    assert (result.language, result.sentiment) == ("fr", "negative")


def test_a_vip_author_raises_the_priority_to_high() -> None:
    result = triage(NEUTRAL_POST, author="@Camille", vip_authors=["camille"])
    assert (result.vip, result.priority) == (True, "high")


@pytest.mark.parametrize(
    ("entry", "platform", "author", "vip"),
    [
        ("camille", "x", "camille", True),
        ("camille", "mastodon", "@CAMILLE", True),
        ("@Camille", "forum", "camille", True),
        ("x:camille", "x", "Camille", True),
        ("X:@camille", "x", "@camille", True),
        ("x:camille", "mastodon", "camille", False),
        ("camille", "x", "camille2", False),
        ("camille", "x", "", False),
    ],
)
def test_vip_entries_match_a_handle_anywhere_or_on_one_platform(
    entry: str, platform: str, author: str, vip: bool
) -> None:
    result = triage(NEUTRAL_POST, platform=platform, author=author, vip_authors=[entry])
    assert result.vip is vip


def test_the_highest_priority_wins_and_a_rule_never_lowers_it() -> None:
    rules = [rule("refund", priority="low"), rule("waiting", priority="urgent")]
    assert triage(NEGATIVE_POST, rules=rules).priority == "urgent"
    assert triage(NEGATIVE_POST, rules=[rule("refund", priority="low")]).priority == "high"
    assert triage(NEUTRAL_POST, rules=[rule("shop", priority="low")]).priority == "normal"
    assert triage(NEUTRAL_POST, rules=[rule("shop", priority="high")]).priority == "high"


def test_every_matching_rule_adds_its_tags_sorted_and_unique() -> None:
    rules = [
        rule("refund", tags=["refund", "billing"]),
        rule("service", tags=["support", "billing"]),
        rule("unrelated", tags=["nope"]),
    ]
    assert triage(NEGATIVE_POST, rules=rules).tags == ["billing", "refund", "support"]


def test_matched_rules_are_listed_in_rule_order() -> None:
    rules = [rule("service", rule_id="b"), rule("nope", rule_id="c"), rule("refund", rule_id="a")]
    assert triage(NEGATIVE_POST, rules=rules).matched_rules == ["b", "a"]


def test_team_and_kind_come_from_the_first_matching_rule_that_sets_them() -> None:
    rules = [
        rule("refund", tags=["refund"]),
        rule("service", team="support", mark_as="feedback"),
        rule("waiting", team="billing", mark_as="request"),
    ]
    result = triage(NEGATIVE_POST, rules=rules)
    assert (result.team, result.kind) == ("support", "feedback")


def test_a_disabled_rule_does_nothing() -> None:
    result = triage(NEGATIVE_POST, rules=[rule("refund", tags=["refund"], enabled=False)])
    assert (result.tags, result.matched_rules) == ([], [])


def test_rules_see_the_detected_language_and_sentiment_and_the_mention_fields() -> None:
    rules = [
        rule("lang:fr sentiment:negative", tags=["fr-complaint"]),
        rule("platform:forum author:camille", tags=["camille-on-forum"]),
        rule("lang:en", tags=["english"]),
    ]
    result = triage(FRENCH_POST, platform="Forum", author="@Camille", rules=rules)
    assert result.tags == ["camille-on-forum", "fr-complaint"]


def test_a_mention_of_emoji_only_has_no_language_but_a_sentiment() -> None:
    result = triage("😡😡😡 @AcmeHelp")
    assert (result.language, result.sentiment, result.priority) == (None, "negative", "high")


def test_triage_is_deterministic() -> None:
    settings = TriageSettings(rules=[rule("refund", tags=["refund"]), rule("service")])
    first = Triage(settings).apply(NEGATIVE_POST, platform="x", author_handle="bob")
    second = Triage(settings).apply(NEGATIVE_POST, platform="x", author_handle="bob")
    assert first == second


def test_settings_default_to_the_documented_values() -> None:
    settings = TriageSettings()
    assert settings.rules == []
    assert settings.vip_authors == []
    assert settings.negative_priority == "high"
    assert settings.languages == ["en", "fr", "de", "es", "it", "nl", "pt"]


def test_settings_refuse_an_unknown_language() -> None:
    with pytest.raises(ValidationError, match="xx"):
        TriageSettings(languages=["en", "xx"])
    with pytest.raises(ValidationError, match="ISO 639-1"):
        TriageSettings(languages=["english"])


def test_settings_refuse_a_vip_entry_without_a_handle() -> None:
    with pytest.raises(ValidationError, match="no handle"):
        TriageSettings(vip_authors=["x:@"])


def test_vip_entries_are_stored_normalized() -> None:
    assert TriageSettings(vip_authors=[" X:@Camille ", "@Bob"]).vip_authors == ["x:camille", "bob"]


def test_a_rule_gets_an_id_when_none_is_given() -> None:
    first, second = rule("refund"), rule("refund")
    assert first.id
    assert first.id != second.id


def test_settings_round_trip_through_json() -> None:
    settings = TriageSettings(
        rules=[rule('"service client" -bot', tags=["support"], priority="urgent")],
        vip_authors=["x:camille"],
    )
    assert TriageSettings.model_validate_json(settings.model_dump_json()) == settings
