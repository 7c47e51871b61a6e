"""Micro-benchmark of triage per mention, stage by stage: `.venv/bin/python -m bench.triage`."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the unit tests' samples

from ensemble_ingest.triage import Rule, RuleActions, Triage, TriageSettings
from ensemble_ingest.triage.language import LanguageDetector
from ensemble_ingest.triage.predicates import MatchDoc
from ensemble_ingest.triage.rules import CompiledQuery, compile_query
from ensemble_ingest.triage.sentiment import score_folded
from ensemble_ingest.triage.text import fold_text
from unit.ingest.triage.samples import ENGLISH_SENTIMENT_SAMPLES, FRENCH_SENTIMENT_SAMPLES

QUERIES = [
    "refund OR rembours*",
    '"customer service" OR "service client"',
    "(bug OR crash* OR plante) -fixed",
    "sentiment:negative (late OR retard*)",
    "platform:x author:acmeceo",
    "lang:fr (livraison OR colis)",
    "lang:en (delivery OR package OR shipping)",
    'password OR login OR "mot de passe" OR connexion',
    "scam OR arnaque OR fraud*",
    "cancel* OR annul* OR unsubscribe OR desabonne",
    "(price OR prix OR cher OR expensive) NOT promo",
    "app AND (android OR ios OR iphone)",
    '"dark mode" OR "mode sombre"',
    "billing OR invoice OR factur*",
    'love OR adore OR "j\'adore"',
    "outage OR panne OR down",
    "lawyer OR avocat OR legal OR juridique",
    "sentiment:positive (thanks OR merci OR bravo)",
    "event OR evenement OR meetup",
    "competitor OR concurrent* -acme",
]


def long_post(samples: list[tuple[str, str]], size: int = 1000) -> str:
    """Posts of a sample set strung together, with a handle and a link, to `size` characters."""
    link = " https://t.co/Xy12AbC"
    text = "@AcmeHelp "
    for sample, _ in samples:
        text += sample + " "
        if len(text) >= size - len(link):
            break
    return text[: size - len(link)] + link


def round_means_us(action: Callable[[], object], runs: int = 2000, rounds: int = 7) -> list[float]:
    """Mean µs per call of each round of `runs` calls."""
    means = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(runs):
            action()
        means.append((time.perf_counter() - started) / runs * 1e6)
    return means


def mean_us(action: Callable[[], object]) -> float:
    """Mean µs per call in the fastest round: noise on a shared machine only ever adds time."""
    return min(round_means_us(action))


def probe(name: str, text: str, language: str, triage: Triage, queries: list[CompiledQuery]) -> str:
    detector = LanguageDetector(triage.settings.languages)
    folded = fold_text(text)
    tokens = frozenset(folded.words).union(folded.emoji)
    doc = MatchDoc.build(
        folded, platform="x", language=language, author="bob", sentiment="negative"
    )

    def rules() -> list[bool]:
        return [query.matches(doc) for query in queries]

    applies = round_means_us(lambda: triage.apply(text, platform="x", author_handle="@bob"))
    figures = (
        mean_us(lambda: fold_text(text)),
        mean_us(lambda: detector.detect(text, tokens)),
        mean_us(lambda: score_folded(folded, text, language, tokens)),
        mean_us(rules),
        min(applies),
        statistics.median(applies),
    )
    size = len(text.encode())
    return f"{name:10} {size:5} " + " ".join(f"{us:9.1f}" for us in figures)


def main() -> None:
    """Prints µs per mention for each stage and for `Triage.apply`, on ~1 KB English and French
    posts with 20 rules, and on two short posts (budget: 60 µs for `apply` on ~1 KB). Nothing
    asserts on time: `bench/ingest.py` prices triage within the whole pipeline."""
    rules = [
        Rule(name=f"rule {n}", query=query, actions=RuleActions(tags=[f"t{n}"], priority="high"))
        for n, query in enumerate(QUERIES)
    ]
    triage = Triage(TriageSettings(rules=rules, vip_authors=["x:acmeceo", "camille"]))
    queries = [compile_query(query) for query in QUERIES]
    posts = {
        "en ~1 KB": (long_post(ENGLISH_SENTIMENT_SAMPLES), "en"),
        "fr ~1 KB": (long_post(FRENCH_SENTIMENT_SAMPLES), "fr"),
        "en tweet": (ENGLISH_SENTIMENT_SAMPLES[0][0], "en"),
        "fr tweet": (FRENCH_SENTIMENT_SAMPLES[2][0], "fr"),
    }
    print(f"µs per mention, {len(QUERIES)} rules; best of 7 rounds of 2,000 (median for apply)")
    print(
        f"{'post':10} {'bytes':>5} {'fold':>9} {'language':>9} {'sentiment':>9} {'rules':>9} "
        f"{'apply':>9} {'(median)':>9}"
    )
    for name, (text, language) in posts.items():
        print(probe(name, text, language, triage, queries))


if __name__ == "__main__":
    main()
