"""Sentiment: VADER's rules for English, textblob-fr's for French, emoji everywhere."""

from __future__ import annotations

import pytest

from ensemble_ingest.triage.sentiment import label, score_sentiment


def sentiment(text: str, language: str | None) -> str:
    return score_sentiment(text, language)[0]


def score(text: str, language: str | None) -> float:
    return score_sentiment(text, language)[1]


def test_pas_mal_is_positive_in_french() -> None:
    assert sentiment("Pas mal du tout le nouveau design", "fr") == "positive"


def test_pas_terrible_is_negative_in_french() -> None:
    assert sentiment("La nouvelle version est pas terrible", "fr") == "negative"


def test_pas_bon_is_negative_in_french() -> None:
    assert sentiment("Ce n'est pas bon", "fr") == "negative"
    assert sentiment("Le burger était bon", "fr") == "positive"


def test_a_french_negation_carries_across_ne_and_the_verb() -> None:
    assert sentiment("Je ne suis pas content du tout", "fr") == "negative"
    assert sentiment("je ne recommande pas", "fr") == "negative"
    assert sentiment("je recommande", "fr") == "positive"


def test_vraiment_pas_bon_is_negative() -> None:
    assert sentiment("Vraiment pas bon", "fr") == "negative"


def test_tres_strengthens_the_french_word_it_modifies() -> None:
    assert score("très bon", "fr") > score("bon", "fr") > 0


def test_ca_marche_pas_is_a_complaint() -> None:
    assert sentiment("ça marche pas depuis hier", "fr") == "negative"
    assert sentiment("L'appli ne fonctionne plus", "fr") == "negative"


def test_french_slang_is_understood() -> None:
    assert sentiment("Trop bien la nouvelle fonctionnalité", "fr") == "positive"
    assert sentiment("Livraison nickel, bravo", "fr") == "positive"
    assert sentiment("C'est une arnaque", "fr") == "negative"


def test_french_words_match_with_or_without_accents() -> None:
    assert score("Très déçue", "fr") == score("tres decue", "fr") < 0


def test_sur_without_its_accent_is_not_the_sentiment_word_sur() -> None:
    # "sûr" (sure) is in the lexicon; folded it would read "sur" (on), the commonest word.
    assert sentiment("Le colis est sur la table", "fr") == "neutral"


def test_not_good_is_negative() -> None:
    assert sentiment("The update is not good", "en") == "negative"


def test_not_bad_is_positive() -> None:
    assert sentiment("The app is not bad at all", "en") == "positive"


def test_contractions_negate() -> None:
    assert sentiment("I don't like the new logo", "en") == "negative"
    assert sentiment("It isn't great", "en") == "negative"
    assert sentiment("I can't recommend it", "en") == "negative"


def test_never_so_good_is_not_a_negation() -> None:
    assert sentiment("It has never been so good", "en") == "positive"
    assert sentiment("It has never been good", "en") == "negative"


def test_no_negates_the_word_after_it() -> None:
    assert sentiment("no problem", "en") == "positive"
    assert sentiment("No problem at all, thanks for the quick fix", "en") == "positive"


def test_intensifiers_strengthen_and_dampeners_soften() -> None:
    assert score("very good", "en") > score("good", "en") > score("kinda good", "en") > 0


def test_but_outweighs_what_came_before() -> None:
    assert sentiment("The design is great but the app is terrible", "en") == "negative"


def test_exclamation_marks_add_emphasis() -> None:
    assert score("Great job!!!", "en") > score("Great job", "en") > 0


def test_support_vocabulary_vader_lacks_is_negative() -> None:
    assert sentiment("ngl the app keeps crashing", "en") == "negative"
    assert sentiment("another outage today", "en") == "negative"


def test_emoji_carry_sentiment_in_any_language() -> None:
    assert sentiment("😍😍", None) == "positive"
    assert sentiment("😡", "de") == "negative"
    assert sentiment("Lieferung heute 👍", "de") == "positive"
    assert sentiment("Service client 😡😡", "fr") == "negative"


def test_emoticons_carry_sentiment() -> None:
    assert sentiment("delivered on time :)", "en") == "positive"
    assert sentiment("encore en retard :(", "fr") == "negative"
    assert sentiment("see https://example.com at 10:30", "en") == "neutral"


def test_a_regional_language_tag_reads_as_its_language() -> None:
    assert sentiment("not good at all", "en-GB") == "negative"
    assert sentiment("pas terrible", "fr-CA") == "negative"


def test_other_languages_are_neutral_without_emoji() -> None:
    assert score_sentiment("Der Kundenservice ist schrecklich", "de") == ("neutral", 0.0)


def test_an_empty_text_is_neutral() -> None:
    assert score_sentiment("", "en") == ("neutral", 0.0)
    assert score_sentiment("", None) == ("neutral", 0.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.05, "positive"), (0.0499, "neutral"), (0.0, "neutral"), (-0.05, "negative")],
)
def test_thresholds_are_vaders(value: float, expected: str) -> None:
    assert label(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "AMAZING!!!! best best best love love love 😍😍😍😍 :) :D <3",
        "worst worst worst hate hate 😡😡😡 scam scam never again!!!!",
    ],
)
@pytest.mark.parametrize("language", ["en", "fr", None])
def test_scores_stay_between_minus_one_and_one(text: str, language: str | None) -> None:
    assert -1.0 <= score(text, language) <= 1.0
