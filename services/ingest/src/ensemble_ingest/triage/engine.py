"""Triages mentions with a workspace's settings: language, sentiment, VIP, then rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ensemble_ingest.models.triage import PRIORITY_RANK, MentionKind, Priority, TriageResult
from ensemble_ingest.triage.language import LanguageDetector
from ensemble_ingest.triage.predicates import MatchDoc, normalize_handle
from ensemble_ingest.triage.rules import compile_query
from ensemble_ingest.triage.sentiment import label, score_folded, warm_up
from ensemble_ingest.triage.settings import TriageSettings
from ensemble_ingest.triage.text import fold_text

_PRIORITY_BY_RANK: dict[int, Priority] = {rank: name for name, rank in PRIORITY_RANK.items()}
_NORMAL = PRIORITY_RANK["normal"]
_HIGH = PRIORITY_RANK["high"]


@dataclass(frozen=True, slots=True)
class _ReadyRule:
    id: str
    tags: frozenset[str]
    rank: int  # -1 when the rule sets no priority
    team: str | None
    kind: MentionKind | None


class Triage:
    """A workspace's triage, compiled once from its settings; `apply` it to each mention.

    Deterministic: the same text, platform, author and settings always give the same result.
    """

    def __init__(self, settings: TriageSettings) -> None:
        self.settings = settings
        self._language = LanguageDetector(settings.languages)
        warm_up()
        self._negative_rank = PRIORITY_RANK[settings.negative_priority]
        vip_anywhere: set[str] = set()
        vip_on: set[tuple[str, str]] = set()
        for entry in settings.vip_authors:
            platform, _, handle = entry.rpartition(":")
            handle = normalize_handle(handle)
            platform = platform.strip().lower()
            if platform:
                vip_on.add((platform, handle))
            else:
                vip_anywhere.add(handle)
        self._vip_anywhere = frozenset(vip_anywhere)
        self._vip_on = frozenset(vip_on)
        enabled = [rule for rule in settings.rules if rule.enabled]
        queries = [compile_query(rule.query) for rule in enabled]
        # (predicate, rule) pairs: the loop run for every mention unpacks them and calls.
        self._rules: tuple[tuple[Callable[[MatchDoc], bool], _ReadyRule], ...] = tuple(
            (
                query.matches,
                _ReadyRule(
                    id=rule.id,
                    tags=frozenset(rule.actions.tags),
                    rank=PRIORITY_RANK[rule.actions.priority] if rule.actions.priority else -1,
                    team=rule.actions.team,
                    kind=rule.actions.mark_as,
                ),
            )
            for rule, query in zip(enabled, queries, strict=True)
        )
        self._rules_read_text = any(query.reads_text for query in queries)

    def _is_vip(self, platform: str, handle: str) -> bool:
        return bool(handle) and (handle in self._vip_anywhere or (platform, handle) in self._vip_on)

    def apply(self, text: str, *, platform: str, author_handle: str) -> TriageResult:
        """Triage one mention.

        Priority is the highest of: normal, `negative_priority` for a negative mention, high for
        a VIP author, and the priority of every matching rule (so a rule never lowers it). Tags
        are every matching rule's; team and kind come from the first matching rule that sets
        them, in rule order.
        """
        folded = fold_text(text)
        words = folded.words
        tokens = frozenset(words + folded.emoji if folded.emoji else words)
        language = self._language.detect(text, tokens)
        score = round(score_folded(folded, text, language, tokens), 4)
        sentiment = label(score)
        platform = platform.strip().lower()
        handle = normalize_handle(author_handle)
        vip = self._is_vip(platform, handle)

        rank = _NORMAL
        if sentiment == "negative" and self._negative_rank > rank:
            rank = self._negative_rank
        if vip and rank < _HIGH:
            rank = _HIGH
        tags: set[str] = set()
        team: str | None = None
        kind: MentionKind | None = None
        matched: list[str] = []
        if self._rules:
            doc = MatchDoc(
                tokens=tokens,
                text=f" {' '.join(words)} " if self._rules_read_text else "",
                platform=platform,
                language=language,
                author=handle,
                sentiment=sentiment,
            )
            for matches, rule in self._rules:
                if not matches(doc):
                    continue
                matched.append(rule.id)
                tags |= rule.tags
                if rule.rank > rank:
                    rank = rule.rank
                if team is None:
                    team = rule.team
                if kind is None:
                    kind = rule.kind
        return TriageResult(
            language=language,
            sentiment=sentiment,
            sentiment_score=score,
            tags=sorted(tags),
            priority=_PRIORITY_BY_RANK[rank],
            team=team,
            kind=kind,
            vip=vip,
            matched_rules=matched,
        )
