"""The rule query language: syntax, matching, and errors that say where."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ensemble_ingest.models.triage import Sentiment
from ensemble_ingest.triage.predicates import MatchDoc
from ensemble_ingest.triage.rules import QueryError, compile_query
from ensemble_ingest.triage.settings import Rule, RuleActions
from ensemble_ingest.triage.text import fold_text

POST = "Mon remboursement n'est toujours pas arrivé, l'App plante! Service client nul 😡"


def matches(
    query: str,
    text: str = POST,
    *,
    platform: str = "x",
    language: str | None = "fr",
    author: str = "@Camille",
    sentiment: Sentiment = "negative",
) -> bool:
    doc = MatchDoc.build(
        fold_text(text), platform=platform, language=language, author=author, sentiment=sentiment
    )
    return compile_query(query).matches(doc)


def test_a_term_matches_a_whole_word_only() -> None:
    assert matches("app")
    assert matches("app", "I love the App!")
    assert not matches("app", "I love my apple")
    assert not matches("apple", "the app")


def test_terms_ignore_case_and_accents_both_ways() -> None:
    assert matches("ARRIVE")
    assert matches("arrivé")
    assert matches("remboursé", "on m'a enfin rembourse")
    assert matches("Ça", "ca marche")


def test_a_phrase_matches_consecutive_words() -> None:
    assert matches('"service client"')
    assert matches('"pas arrivé"')
    assert not matches('"client service"')
    assert matches('"customer service"', "Customer-service was great")


def test_a_term_with_punctuation_is_a_phrase() -> None:
    assert matches("e-mail", "resend the e-mail please")
    assert matches("l'app")


def test_a_prefix_wildcard_matches_the_start_of_a_word() -> None:
    assert matches("rembours*")
    assert matches("remb*")
    assert not matches("bourse*")
    assert matches('"service cli*"')
    assert not matches('"client serv*"')


def test_and_or_not_any_case() -> None:
    assert matches("app AND plante")
    assert matches("app and plante")
    assert matches("apple OR app")
    assert matches("apple or app")
    assert not matches("app AND NOT plante")
    assert not matches("app and not plante")


def test_minus_is_not() -> None:
    assert not matches("app -plante")
    assert matches("app -apple")
    assert not matches("-(apple OR app)")


def test_adjacent_terms_mean_and() -> None:
    assert matches("app plante nul")
    assert not matches("app plante apple")


def test_and_binds_tighter_than_or() -> None:
    assert matches("apple AND pear OR app")  # (apple AND pear) OR app
    assert not matches("apple AND (pear OR app)")
    assert matches("pear OR app plante")  # pear OR (app AND plante)


def test_field_filters() -> None:
    assert matches("platform:x")
    assert matches("platform:X", platform="x")
    assert not matches("platform:mastodon")
    assert matches("lang:fr")
    assert not matches("lang:en")
    assert not matches("lang:fr", language=None)
    assert matches("author:camille")
    assert matches("author:@CAMILLE")
    assert not matches("author:camille2")
    assert matches("sentiment:negative")
    assert not matches("sentiment:positive")


def test_field_filters_combine_with_words() -> None:
    assert matches("(refund OR rembours*) lang:fr -lang:en platform:x")
    assert matches("sentiment:positive OR app")
    assert not matches("sentiment:positive app")


def test_an_emoji_is_a_term() -> None:
    assert matches("😡")
    assert not matches("😍")


def test_words_that_start_like_keywords_are_terms() -> None:
    assert matches("android OR order OR notable", "my android phone")
    assert matches("notre", "notre commande")


def test_keywords_can_be_searched_quoted() -> None:
    assert matches('"not"', "this is not fine")
    assert matches('"and" "or"', "this and or that")


@pytest.mark.parametrize(
    ("query", "column", "message"),
    [
        ("app AND", 8, "ends too early: expected a term, a phrase or '('"),
        ("(app OR bug", 12, "expected ')'"),
        ("app)", 4, "unexpected ')'"),
        ("app OR OR bug", 8, "unexpected OR"),
        ("()", 2, "unexpected ')'"),
        ('app "unclosed', 5, "unclosed quote"),
        ("app foo:bar", 5, "unknown field 'foo'"),
        ("sentiment:angry", 11, "sentiment: must be positive, neutral or negative"),
        ("lang:", 6, "expected a term or a phrase"),
        ("platform:x*", 10, "needs a plain value"),
        ("re*mb", 1, "'*' only ends a word"),
        ("bug *", 5, "has no letters, digits or emoji"),
        ("!!!", 1, "has no letters, digits or emoji"),
        ('"love 😍"', 1, "an emoji is searched on its own"),
        ("   ", 1, "the query is empty"),
    ],
)
def test_a_syntax_error_says_what_and_where(query: str, column: int, message: str) -> None:
    with pytest.raises(QueryError) as raised:
        compile_query(query)
    assert raised.value.column == column
    assert message in str(raised.value)
    assert str(raised.value).endswith(f"at column {column}")


def test_an_error_on_a_later_line_names_the_line() -> None:
    with pytest.raises(QueryError, match=r"unknown field 'foo'.* at line 2, column 3"):
        compile_query("app OR\n  foo:bar")


def test_a_query_error_is_a_value_error() -> None:
    assert issubclass(QueryError, ValueError)


def test_a_rule_with_an_invalid_query_is_refused_naming_the_column() -> None:
    with pytest.raises(ValidationError) as raised:
        Rule(name="refunds", query="refund AND (late", actions=RuleActions(tags=["refund"]))
    assert "expected ')' at column 17" in str(raised.value)


def test_compiling_twice_reuses_the_compiled_query() -> None:
    assert compile_query("refund OR rembours*") is compile_query("refund OR rembours*")


def test_a_query_of_words_and_fields_does_not_read_the_joined_text() -> None:
    assert not compile_query("refund OR (app -apple) lang:fr").reads_text
    assert compile_query('refund OR "service client"').reads_text
    assert compile_query("NOT rembours*").reads_text
