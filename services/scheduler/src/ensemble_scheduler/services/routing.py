"""Choosing an item's approval path: the first policy (by priority, then name) whose rules hold.

Pure. Rules about the answered mention's triage cannot be judged while that triage is unknown
(the projection may lag); rather than fall through to a weaker path, the choice is deferred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from ensemble_scheduler.models.content import ContentFields, ContentKind
from ensemble_scheduler.models.policies import Policy, When


@dataclass(frozen=True)
class MentionFacts:
    """What triage said about the mention a reply answers."""

    sentiment: str
    priority: str
    tags: tuple[str, ...] = ()


class Match(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def matches(
    when: When,
    *,
    kind: ContentKind,
    fields: ContentFields,
    mention: MentionFacts | None,
    answers_mention: bool,
) -> Match:
    if when.kinds and kind not in when.kinds:
        return Match.NO
    if when.channels and fields.channel not in when.channels:
        return Match.NO
    if when.tags and not set(when.tags) & set(fields.tags):
        return Match.NO
    if not when.needs_triage():
        return Match.YES
    if not answers_mention:
        return Match.NO
    if mention is None:
        return Match.UNKNOWN
    if when.sentiments and mention.sentiment not in when.sentiments:
        return Match.NO
    if when.priorities and mention.priority not in when.priorities:
        return Match.NO
    if when.mention_tags and not set(when.mention_tags) & set(mention.tags):
        return Match.NO
    return Match.YES


class NoPolicy(Exception):
    """No policy matches the item."""


class TriagePending(Exception):
    """A policy that may match depends on a mention triage not known yet."""


def choose(
    policies: Sequence[Policy],
    *,
    kind: ContentKind,
    fields: ContentFields,
    mention: MentionFacts | None,
) -> Policy:
    answers_mention = fields.reply_to is not None and bool(
        fields.reply_to.mention_id or fields.reply_to.external_id
    )
    for policy in sorted(policies, key=lambda p: (p.priority, p.name)):
        match = matches(
            policy.when, kind=kind, fields=fields, mention=mention, answers_mention=answers_mention
        )
        if match is Match.YES:
            return policy
        if match is Match.UNKNOWN:
            raise TriagePending(policy.name)
    raise NoPolicy()
