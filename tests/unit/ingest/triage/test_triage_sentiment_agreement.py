"""The fast scorers agree in sign with the libraries whose lexicons they reuse."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from ensemble_ingest.triage.sentiment import label, score_sentiment
from unit.ingest.triage.samples import ENGLISH_SENTIMENT_SAMPLES, FRENCH_SENTIMENT_SAMPLES

MIN_AGREEMENT = 0.9


def french_polarity() -> Callable[[str], float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # textblob-fr's own regexes
        from textblob_fr import PatternAnalyzer
    analyzer = PatternAnalyzer()
    return lambda text: float(analyzer.analyze(text)[0])


def english_compound() -> Callable[[str], float]:
    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


@pytest.mark.parametrize(
    ("language", "samples", "library"),
    [
        ("en", ENGLISH_SENTIMENT_SAMPLES, english_compound),
        ("fr", FRENCH_SENTIMENT_SAMPLES, french_polarity),
    ],
)
def test_labels_agree_with_the_library_and_differ_only_where_ours_is_right(
    language: str,
    samples: list[tuple[str, str]],
    library: Callable[[], Callable[[str], float]],
) -> None:
    """Agreement: the share of samples where our label equals the one the library's own score
    gives (same ±0.05 thresholds). Where they differ, ours must be what a human reads: the
    supplement may only fix the library, never break it. `pytest -s` prints the figures."""
    assert len(samples) >= 40
    reference = library()
    disagreements = []
    for text, human in samples:
        ours = score_sentiment(text, language)[0]
        theirs = label(reference(text))
        if ours != theirs:
            disagreements.append((text, human, ours, theirs))
    agreement = 1 - len(disagreements) / len(samples)
    print(f"{language}: {agreement:.1%} agreement on {len(samples)} samples")
    for text, human, ours, theirs in disagreements:
        print(f"  ours {ours}, library {theirs}, human {human}: {text}")
    assert agreement >= MIN_AGREEMENT
    assert [d for d in disagreements if d[2] != d[1]] == []


@pytest.mark.parametrize(
    ("language", "samples"),
    [("en", ENGLISH_SENTIMENT_SAMPLES), ("fr", FRENCH_SENTIMENT_SAMPLES)],
)
def test_labels_match_a_human_reader_on_most_samples(
    language: str, samples: list[tuple[str, str]]
) -> None:
    right = sum(score_sentiment(text, language)[0] == human for text, human in samples)
    print(f"{language}: {right}/{len(samples)} as a human reads them")
    assert right / len(samples) >= 0.9
