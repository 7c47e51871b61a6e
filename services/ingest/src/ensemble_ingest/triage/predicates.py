"""What a triage rule reads of a mention (`MatchDoc`), a rule query's syntax tree, and its
compilation into predicates that group cheap checks into single set operations."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ensemble_ingest.models.triage import Sentiment
from ensemble_ingest.triage.text import FoldedText

FieldName = Literal["platform", "lang", "author", "sentiment"]


@dataclass(frozen=True, slots=True)
class MatchDoc:
    """What rules read of one mention, prepared once: folded tokens, and the fields."""

    tokens: frozenset[str]  # folded words and emoji (see text.fold_text)
    text: str  # the folded words (not the emoji) joined by single spaces, and one at each end
    platform: str
    language: str | None
    author: str  # lowercase handle without "@"
    sentiment: Sentiment

    @classmethod
    def build(
        cls,
        folded: FoldedText,
        *,
        platform: str,
        language: str | None,
        author: str,
        sentiment: Sentiment,
    ) -> MatchDoc:
        """From a mention's folded text (`text.fold_text`) and its fields."""
        return cls(
            tokens=frozenset(folded.words).union(folded.emoji),
            text=f" {' '.join(folded.words)} ",
            platform=platform.strip().lower(),
            language=language,
            author=normalize_handle(author),
            sentiment=sentiment,
        )


def normalize_handle(handle: str) -> str:
    """How handles compare: "@Camille " is "camille"."""
    return handle.strip().lstrip("@").lower()


Predicate = Callable[[MatchDoc], bool]


# The query's syntax tree, before compilation.
@dataclass(frozen=True, slots=True)
class Word:
    word: str  # one folded word: a set lookup


@dataclass(frozen=True, slots=True)
class Text:
    needle: str  # a phrase or a prefix: a substring search on MatchDoc.text
    whole_words: frozenset[str]  # its complete words, checked first: a set lookup is cheaper


@dataclass(frozen=True, slots=True)
class Field:
    name: FieldName
    value: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Text | Field | Not | And | Or


def reads_text(node: Node) -> bool:
    """Whether the query searches phrases or prefixes in `MatchDoc.text`."""
    if isinstance(node, Text):
        return True
    if isinstance(node, Not):
        return reads_text(node.child)
    if isinstance(node, And | Or):
        return any(reads_text(child) for child in node.children)
    return False


def predicate(node: Node) -> Predicate:
    """Compiles a node, grouping the cheap checks of a level into single set operations."""
    if isinstance(node, Word):
        word = node.word
        return lambda doc: word in doc.tokens
    if isinstance(node, Text):
        needle, whole_words = node.needle, node.whole_words
        if whole_words:
            return lambda doc: whole_words <= doc.tokens and needle in doc.text
        return lambda doc: needle in doc.text
    if isinstance(node, Field):
        return _field_predicate(node.name, frozenset((node.value,)))
    if isinstance(node, Not):
        inner = predicate(node.child)
        return lambda doc: not inner(doc)
    if isinstance(node, And):
        return _all_of(node.children)
    return _any_of(node.children)


def _field_predicate(name: FieldName, values: frozenset[str]) -> Predicate:
    if name == "platform":
        return lambda doc: doc.platform in values
    if name == "lang":
        return lambda doc: doc.language in values
    if name == "author":
        return lambda doc: doc.author in values
    return lambda doc: doc.sentiment in values


def _all_of(children: Sequence[Node]) -> Predicate:
    required = frozenset(c.word for c in children if isinstance(c, Word))
    excluded = frozenset(
        c.child.word for c in children if isinstance(c, Not) and isinstance(c.child, Word)
    )
    checks: list[Predicate] = []
    if required:
        checks.append(lambda doc: required <= doc.tokens)
    if excluded:
        checks.append(lambda doc: excluded.isdisjoint(doc.tokens))
    rest = [
        c
        for c in children
        if not isinstance(c, Word) and not (isinstance(c, Not) and isinstance(c.child, Word))
    ]
    # Field checks are cheapest, then substring searches, then nested groups.
    rest.sort(key=_cost)
    checks.extend(predicate(child) for child in rest)
    return _conjunction(checks)


def _any_of(children: Sequence[Node]) -> Predicate:
    words = frozenset(c.word for c in children if isinstance(c, Word))
    checks: list[Predicate] = []
    if words:
        checks.append(lambda doc: not words.isdisjoint(doc.tokens))
    fields: dict[FieldName, set[str]] = {}
    for child in children:
        if isinstance(child, Field):
            fields.setdefault(child.name, set()).add(child.value)
    checks.extend(_field_predicate(name, frozenset(values)) for name, values in fields.items())
    rest = sorted((c for c in children if not isinstance(c, Word | Field)), key=_cost)
    checks.extend(predicate(child) for child in rest)
    return _disjunction(checks)


def _cost(node: Node) -> int:
    if isinstance(node, Field):
        return 0
    if isinstance(node, Word | Text):
        return 1
    if isinstance(node, Not):
        return _cost(node.child)
    return 2


def _conjunction(checks: Sequence[Predicate]) -> Predicate:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda doc: first(doc) and second(doc)
    frozen = tuple(checks)
    return lambda doc: all(check(doc) for check in frozen)


def _disjunction(checks: Sequence[Predicate]) -> Predicate:
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda doc: first(doc) or second(doc)
    frozen = tuple(checks)
    return lambda doc: any(check(doc) for check in frozen)
