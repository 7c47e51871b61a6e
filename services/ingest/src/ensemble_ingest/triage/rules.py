"""The boolean query language of triage rules, compiled once into cheap predicates."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, get_args

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from ensemble_ingest.models.triage import Sentiment
from ensemble_ingest.triage.predicates import (
    And,
    Field,
    FieldName,
    Node,
    Not,
    Or,
    Predicate,
    Text,
    Word,
    normalize_handle,
    predicate,
    reads_text,
)
from ensemble_ingest.triage.text import fold_text

_GRAMMAR = r"""
    ?start: or_expr
    ?or_expr: and_expr (_OR and_expr)*
    ?and_expr: unary (_AND? unary)*
    ?unary: _NOT unary -> negation
          | _MINUS unary -> negation
          | atom
    ?atom: _LPAR or_expr _RPAR
         | FIELD (TERM | PHRASE) -> field
         | PHRASE -> phrase
         | TERM -> term

    _OR.2: /OR(?=[\s()"]|$)/i
    _AND.2: /AND(?=[\s()"]|$)/i
    _NOT.2: /NOT(?=[\s()"]|$)/i
    FIELD.3: /[A-Za-z_]+:/
    PHRASE: /"[^"]*"/
    TERM: /[^\s()"\-][^\s()"]*/
    _MINUS: "-"
    _LPAR: "("
    _RPAR: ")"
    %ignore /\s+/
"""
# The basic lexer keeps AND / OR / NOT keywords everywhere ("a OR OR b" is an error, not a
# search for the word "or"), which the default contextual lexer would not.
_PARSER: Final = Lark(_GRAMMAR, parser="lalr", lexer="basic", maybe_placeholders=False)

MAX_NESTING: Final = 32
"""How deeply NOT, AND and OR may nest in one query: the compiler and the predicates recurse
once per level, so a chain of thousands of NOT would be a RecursionError (a 500), not a rule."""
MAX_QUERY_LENGTH: Final = 2_000

_FIELDS: Final = frozenset(get_args(FieldName))
_SENTIMENTS: Final = frozenset(get_args(Sentiment))
_TOKEN_NAMES: Final = {
    "_OR": "OR",
    "_AND": "AND",
    "_NOT": "NOT",
    "_MINUS": "'-'",
    "_LPAR": "'('",
    "_RPAR": "')'",
    "FIELD": "a field filter",
    "PHRASE": "a phrase",
    "TERM": "a term",
    "$END": "the end of the query",
}


class QueryError(ValueError):
    """A query that does not compile; says what is wrong and at which column (1-based)."""

    def __init__(self, reason: str, column: int, line: int = 1) -> None:
        where = f"column {column}" if line == 1 else f"line {line}, column {column}"
        super().__init__(f"{reason} at {where}")
        self.reason = reason
        self.column = column
        self.line = line


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """A query ready to run against many mentions: `query.matches(doc) -> bool`.

    `matches` is the compiled predicate itself rather than a method wrapping it: one call
    less per rule and mention.
    """

    source: str
    matches: Predicate = dataclasses.field(repr=False, compare=False)
    reads_text: bool = True  # False when only words and fields are used: MatchDoc.text unused


def compile_query(query: str) -> CompiledQuery:
    """Parses and compiles a query; raises QueryError (a ValueError) naming the column.

        refund OR rembours*               a word, or a word starting with "rembours"
        "customer service" -bot           a phrase, and not the word "bot"
        (bug OR crash) AND NOT lang:en    parentheses, AND / OR / NOT (any case), "-" for NOT
        app platform:x author:@acme       adjacent terms mean AND; field filters
        sentiment:negative 😡             positive, neutral or negative; an emoji

    Words match whole words, ignoring case and accents: "app" matches "App!" but not "apple",
    and "remboursé" matches "rembourse". AND binds tighter than OR, NOT tighter than both. To
    search for the words "and", "or" or "not", or for text containing ":", quote it. Compiled
    queries are cached: rules compiled when validated are not compiled again by the engine.
    """
    return _compile_cached(query)


@functools.lru_cache(maxsize=4096)
def _compile_cached(query: str) -> CompiledQuery:
    if not query.strip():
        raise QueryError("the query is empty", column=1)
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters", column=1)
    try:
        tree = _PARSER.parse(query)
    except UnexpectedInput as error:
        raise _syntax_error(query, error) from None
    if _nesting(tree) > MAX_NESTING:
        raise QueryError(f"the query nests deeper than {MAX_NESTING} levels", column=1)
    try:
        node = _ToNodes().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, QueryError):
            raise error.orig_exc from None
        raise
    return CompiledQuery(query, predicate(node), reads_text(node))


def _nesting(tree: Tree[Token]) -> int:
    """The depth of the parse tree, measured without recursion."""
    deepest, pending = 0, [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return deepest


def _syntax_error(query: str, error: UnexpectedInput) -> QueryError:
    """lark's error, said in the query's terms."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        char = query[position] if position is not None and position < len(query) else ""
        reason = "unclosed quote" if char == '"' else f"unexpected character {char!r}"
        return QueryError(reason, error.column, error.line)
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        found = _TOKEN_NAMES.get(error.token.type, repr(str(error.token)))
        if error.token.type in ("TERM", "PHRASE", "FIELD"):
            found = f"{found} {str(error.token)!r}"
        expected = _expected(set(error.expected))
        return QueryError(f"unexpected {found}{expected}", error.column, error.line)
    # The query stopped where something more was needed: point just past its end.
    lines = query.split("\n")
    names = set(error.expected) if isinstance(error, UnexpectedToken | UnexpectedEOF) else set()
    return QueryError(f"the query ends too early{_expected(names)}", len(lines[-1]) + 1, len(lines))


def _expected(names: set[str]) -> str:
    if "_RPAR" in names:
        return ": expected ')'"  # an open parenthesis is the likeliest cause
    wanted = [_TOKEN_NAMES[name] for name in ("TERM", "PHRASE", "_LPAR") if name in names]
    if not wanted:
        return ""
    listed = wanted[0] if len(wanted) == 1 else f"{', '.join(wanted[:-1])} or {wanted[-1]}"
    return f": expected {listed}"


@v_args(inline=True)
class _ToNodes(Transformer[Token, Node]):
    """Turns the parse tree into nodes, checking what the grammar cannot."""

    def term(self, token: Token) -> Node:
        return _words_node(str(token), token)

    def phrase(self, token: Token) -> Node:
        return _words_node(str(token)[1:-1], token, quoted=True)

    def field(self, name_token: Token, value_token: Token) -> Node:
        name = str(name_token)[:-1].lower()
        value = str(value_token)
        if value_token.type == "PHRASE":
            value = value[1:-1]
        value = value.strip()
        if name not in _FIELDS:
            known = ", ".join(sorted(_FIELDS))
            raise _at(
                name_token, f"unknown field {name!r} (known: {known}; quote text containing ':')"
            )
        if not value or "*" in value:
            raise _at(value_token, f"{name}: needs a plain value, without '*'")
        if name == "sentiment":
            value = value.lower()
            if value not in _SENTIMENTS:
                raise _at(value_token, "sentiment: must be positive, neutral or negative")
            return Field("sentiment", value)
        if name == "author":
            return Field("author", normalize_handle(value))
        return Field("platform" if name == "platform" else "lang", value.lower())

    def negation(self, child: Node) -> Node:
        return child.child if isinstance(child, Not) else Not(child)

    def and_expr(self, *children: Node) -> Node:
        return And(_flatten(children, And))

    def or_expr(self, *children: Node) -> Node:
        return Or(_flatten(children, Or))


def _flatten(children: Sequence[Node], kind: type[And] | type[Or]) -> tuple[Node, ...]:
    flat: list[Node] = []
    for child in children:
        flat.extend(child.children if isinstance(child, kind) else (child,))
    return tuple(flat)


def _words_node(raw: str, token: Token, *, quoted: bool = False) -> Node:
    prefix = raw.endswith("*")
    body = raw[:-1] if prefix else raw
    if "*" in body:
        raise _at(token, f"'*' only ends a word (prefix search), as in rembours*: {raw!r}")
    folded = fold_text(body)
    words = folded.words
    if folded.emoji:
        if words or prefix or len(folded.emoji) > 1:
            raise _at(
                token, f"an emoji is searched on its own, not in a phrase or with '*': {raw!r}"
            )
        return Word(folded.emoji[0])
    if not words:
        what = "phrase" if quoted else "term"
        raise _at(token, f"{what} {raw!r} has no letters, digits or emoji to match")
    if prefix and not body[-1:].isalnum():
        raise _at(token, f"'*' must follow a letter or digit: {raw!r}")
    if len(words) == 1 and not prefix:
        return Word(words[0])
    # " a b " finds the phrase on word boundaries; " remb" finds words starting with "remb".
    whole_words = frozenset(words[:-1] if prefix else words)
    return Text(f" {' '.join(words)}" + ("" if prefix else " "), whole_words)


def _at(token: Token, reason: str) -> QueryError:
    return QueryError(reason, token.column or 1, token.line or 1)
