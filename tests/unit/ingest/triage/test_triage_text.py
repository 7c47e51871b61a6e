"""Folding: the lowercase, accent-free words every triage step reads."""

from __future__ import annotations

import random

import pytest

from ensemble_ingest.triage.text import FoldedText, _fold_nfkd, fold_text, fold_words
from unit.ingest.triage.samples import (
    ENGLISH_SENTIMENT_SAMPLES,
    FRENCH_SENTIMENT_SAMPLES,
    LANGUAGE_SAMPLES,
    NO_LANGUAGE_SAMPLES,
)


def test_words_are_lowercase_without_accents_or_punctuation() -> None:
    folded = fold_text("Ça MARCHE pas!! Déçue, l'équipe « SAV » n'a rien fait…")
    assert folded.words == [
        "ca", "marche", "pas", "decue", "l", "equipe", "sav", "n", "a", "rien", "fait",
    ]  # fmt: skip


def test_emoji_are_kept_apart_from_the_words() -> None:
    assert fold_text("top😍😍 merci ❤️ ok👍🏽") == FoldedText(
        words=["top", "merci", "ok"], emoji=["😍", "😍", "👍", "🏽", "❤"]
    )


def test_typographic_apostrophes_and_dashes_separate_words() -> None:
    assert fold_text("l\u2019appli\u2014enfin \u201ctop\u201d").words == [
        "l",
        "appli",
        "enfin",
        "top",
    ]


def test_letters_without_decomposition_stay_lowercased() -> None:
    assert fold_text("Straße ŒUVRE Ærø Москва").words == ["straße", "œuvre", "ærø", "москва"]


def test_fold_words_lists_the_emoji_after_the_words() -> None:
    assert fold_words("Ça marche pas!! 😡") == ["ca", "marche", "pas", "😡"]


def test_an_ascii_text_folds_like_any_other() -> None:
    assert fold_text("Hello, World! it's 10:30") == FoldedText(
        ["hello", "world", "it", "s", "10", "30"], []
    )


@pytest.mark.parametrize("text", ["", "   ", "!!! ...", "\u200b"])
def test_a_text_without_words_folds_to_nothing(text: str) -> None:
    assert fold_text(text) == FoldedText([], [])


def test_the_latin1_fast_path_folds_exactly_like_nfkd() -> None:
    # Most posts skip NFKD; they must fold the same as if they had not.
    codes = [
        *range(0x80, 0x250),
        *range(0x2000, 0x2C00),
        *range(0x1F000, 0x1FB00),
        0xFE0F,
        0xFEFF,
        0xFF21,
        0x1D400,
        0x3001,
    ]
    for code in codes:
        text = f"Ab{chr(code)}cd {chr(code)} x{chr(code)}"
        assert fold_text(text) == _fold_nfkd(text), hex(code)
    posts = [text for text, _ in (*LANGUAGE_SAMPLES, *ENGLISH_SENTIMENT_SAMPLES)]
    posts += [text for text, _ in FRENCH_SENTIMENT_SAMPLES] + NO_LANGUAGE_SAMPLES
    alphabet = [chr(code) for code in codes] + list("abcé É' .😀❤️\u2019")
    generator = random.Random(7)
    posts += ["".join(generator.choices(alphabet, k=12)) for _ in range(5000)]
    for text in posts:
        assert fold_text(text) == _fold_nfkd(text), text
