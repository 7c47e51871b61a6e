"""Language detection among a workspace's candidate languages."""

from __future__ import annotations

import pytest

from ensemble_ingest.triage.language import LanguageDetector
from ensemble_ingest.triage.settings import DEFAULT_LANGUAGES
from ensemble_ingest.triage.text import fold_words
from unit.ingest.triage.samples import LANGUAGE_SAMPLES, NO_LANGUAGE_SAMPLES


def detect_language(text: str, candidates: list[str]) -> str | None:
    return LanguageDetector(candidates).detect(text)


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(DEFAULT_LANGUAGES)


@pytest.mark.parametrize(("post", "language"), LANGUAGE_SAMPLES)
def test_a_short_social_post_gets_its_language(
    detector: LanguageDetector, post: str, language: str
) -> None:
    assert detector.detect(post) == language


@pytest.mark.parametrize("post", NO_LANGUAGE_SAMPLES)
def test_emoji_links_and_handles_alone_have_no_language(
    detector: LanguageDetector, post: str
) -> None:
    assert detector.detect(post) is None


def test_a_single_word_is_not_enough_to_tell(detector: LanguageDetector) -> None:
    assert detector.detect("#acme 🔥🔥") is None
    assert detector.detect("Merci !") is None


def test_urls_and_handles_do_not_sway_the_language(detector: LanguageDetector) -> None:
    post = "@TheBestCustomerService https://example.com/the/best/english/page ça marche enfin"
    assert detector.detect(post) == "fr"


def test_a_long_post_is_decided_by_its_function_words(detector: LanguageDetector) -> None:
    post = " ".join(text for text, language in LANGUAGE_SAMPLES if language == "fr") * 3
    assert detector.detect(post) == "fr"


def test_a_mostly_french_post_quoting_english_stays_french(detector: LanguageDetector) -> None:
    post = (
        "Franchement je ne comprends pas pourquoi vous avez retiré le mode sombre, "
        'tout le monde le demandait et maintenant l\'appli dit "dark mode is coming soon"'
    )
    assert detector.detect(post) == "fr"


def test_detection_is_limited_to_the_candidates() -> None:
    spanish = "El pedido llegó tarde y además roto, muy decepcionado"
    assert detect_language(spanish, ["en", "fr"]) in ("en", "fr")
    assert detect_language(spanish, ["es", "pt"]) == "es"


def test_a_single_candidate_is_the_answer_whenever_there_is_text() -> None:
    assert detect_language("Der Kundenservice ist nicht erreichbar", ["en"]) == "en"
    assert detect_language("😍", ["en"]) is None


def test_passing_the_folded_words_gives_the_same_answer(detector: LanguageDetector) -> None:
    for post, _ in LANGUAGE_SAMPLES:
        assert detector.detect(post, frozenset(fold_words(post))) == detector.detect(post)


def test_an_unknown_candidate_is_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        LanguageDetector(["en", "xx"])


def test_words_of_urls_and_handles_do_not_vote(detector: LanguageDetector) -> None:
    post = (
        "@the_and_with_you https://example.com/the/and/with/you/this/that/what/when/have/has"
        "/your/they/from/about/would/could/should "
        "Je ne sais pas pourquoi la commande est encore en retard"
    )
    assert detector.detect(post, frozenset(fold_words(post))) == "fr"
