"""Policy rules: which approval path an item takes."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble_scheduler.models.content import ContentFields, ReplyTo
from ensemble_scheduler.models.policies import Policy, StepSpec, When
from ensemble_scheduler.services.routing import MentionFacts, NoPolicy, TriagePending, choose


def policy(name: str, priority: int, **when: Any) -> Policy:
    return Policy(
        name=name,
        workspace="acme",
        priority=priority,
        when=When(**when),
        steps=(StepSpec(name="s", teams=(name,)),),
    )


POLICIES = [
    policy("default", 1000),
    policy("crisis", 10, kinds=("reply",), sentiments=("negative",)),
    policy("urgent", 20, kinds=("reply",), priorities=("urgent",)),
    policy("press", 50, kinds=("announcement",), channels=("linkedin",)),
    policy("promo", 60, tags=("promo", "giveaway")),
]
REPLY = ContentFields(channel="mastodon", body="Sorry!", reply_to=ReplyTo(mention_id="m1"))
POST = ContentFields(channel="mastodon", body="Hello")


def pick(kind: str, fields: ContentFields, mention: MentionFacts | None = None) -> str:
    return choose(POLICIES, kind=kind, fields=fields, mention=mention).name  # type: ignore[arg-type]


def test_negative_replies_take_the_crisis_path() -> None:
    assert pick("reply", REPLY, MentionFacts("negative", "normal")) == "crisis"


def test_rules_are_tried_by_priority() -> None:
    assert pick("reply", REPLY, MentionFacts("negative", "urgent")) == "crisis"
    assert pick("reply", REPLY, MentionFacts("neutral", "urgent")) == "urgent"
    assert pick("reply", REPLY, MentionFacts("positive", "low")) == "default"


def test_kind_channel_and_tags() -> None:
    assert pick("announcement", POST.model_copy(update={"channel": "linkedin"})) == "press"
    assert pick("announcement", POST) == "default"
    assert pick("post", POST.model_copy(update={"tags": ("giveaway",)})) == "promo"
    assert pick("post", POST) == "default"


def test_triage_rules_never_match_items_that_answer_no_mention() -> None:
    policies = [policy("negative", 1, sentiments=("negative",)), policy("default", 2)]
    chosen = choose(policies, kind="post", fields=POST, mention=None)
    assert chosen.name == "default"


def test_unknown_triage_defers_rather_than_falling_to_a_weaker_path() -> None:
    with pytest.raises(TriagePending):
        pick("reply", REPLY, None)


def test_no_matching_policy() -> None:
    with pytest.raises(NoPolicy):
        choose(
            [policy("press", 1, kinds=("announcement",))], kind="post", fields=POST, mention=None
        )


def test_policy_validation_refuses_impossible_steps() -> None:
    with pytest.raises(ValueError, match="at least one approver"):
        StepSpec(name="s")
    with pytest.raises(ValueError, match="exceeds"):
        StepSpec(name="s", people=("a",), quorum=2)
    with pytest.raises(ValueError, match="cannot approve"):
        StepSpec(name="s", roles=("member",))
    with pytest.raises(ValueError, match="viewers"):
        StepSpec(name="s", roles=("viewer",))  # viewers read, never decide
