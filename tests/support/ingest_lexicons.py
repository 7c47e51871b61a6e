"""The sentiment lexicons ingest ships, rebuilt from the packages they come from.

Ingest's scorer (`ensemble_ingest.triage.sentiment`) reads VADER's English lexicon and
textblob-fr's French one from data files in its own package, so production does not install
those libraries for their data. This module makes those files from the installed reference
packages (dev dependencies, also used by the agreement test):

    cd tests && ../.venv/bin/python -m support.ingest_lexicons   # rewrites the files

and `test_triage_lexicon_files.py` checks that the shipped files are exactly what it makes.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path

from vaderSentiment import vaderSentiment as vader

from ensemble_ingest.triage.language import FUNCTION_WORDS
from ensemble_ingest.triage.text import fold_text, fold_words

DATA = Path(__file__).resolve().parents[2] / "services/ingest/src/ensemble_ingest/data"

# Lefff tags of the words that carry no sentiment of their own: nouns and function words.
_NON_SENTIMENT_TAGS = frozenset(("NN", "NNS", "IN", "DT", "CC", "PRP", "PRP$", "WP", "WRB"))


def package_file(package: str, name: str) -> str:
    """A data file an installed package ships, read without importing the package (importing
    textblob_fr loads its whole tagger, and warns)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / name).read_text("utf-8")


def _vader_header(what: str, columns: str) -> list[str]:
    return [
        f"# {what}, from vaderSentiment {version('vaderSentiment')} ({columns}).",
        "# VADER: Copyright (c) 2016 C.J. Hutto, MIT License (see NOTICE in this folder).",
        "# Made by tests/support/ingest_lexicons.py from the installed package: do not edit.",
    ]


def _table(header: list[str], rows: Sequence[tuple[str, ...]]) -> str:
    for row in rows:
        if not row[0] or row[0].startswith("#") or any("\t" in c or "\n" in c for c in row):
            raise ValueError(f"a row this format cannot hold: {row!r}")
    return "\n".join([*header, *("\t".join(row) for row in rows)]) + "\n"


def vader_lexicon() -> str:
    """Every entry of vader_lexicon.txt, in order, with the two columns read: token, mean
    valence (-4..4). The rating spread and the raters' scores are left out."""
    rows = []
    for line in package_file("vaderSentiment", "vader_lexicon.txt").splitlines():
        if line.strip():
            token, measure = line.strip().split("\t")[:2]
            rows.append((token, measure))
    return _table(_vader_header("VADER's lexicon", "vader_lexicon.txt: token, valence"), rows)


def vader_emoji() -> str:
    """The single-character emoji of emoji_utf8_lexicon.txt with their descriptions (VADER
    values an emoji as the words of its description)."""
    rows = []
    for line in package_file("vaderSentiment", "emoji_utf8_lexicon.txt").splitlines():
        symbol, _, description = line.partition("\t")
        if len(symbol) == 1:
            rows.append((symbol, description))
    header = _vader_header("VADER's emoji", "emoji_utf8_lexicon.txt: emoji, description")
    return _table(header, rows)


def vader_boosters() -> str:
    """VADER's BOOSTER_DICT: the words that scale the next ones, and by how much."""
    rows = [(word, repr(scale)) for word, scale in vader.BOOSTER_DICT.items()]
    return _table(_vader_header("VADER's boosters", "BOOSTER_DICT: word, scale"), rows)


def vader_negations() -> str:
    """VADER's NEGATE list."""
    rows = [(word,) for word in vader.NEGATE]
    return _table(_vader_header("VADER's negations", "NEGATE: word"), rows)


def french_sentiment() -> str:
    """textblob-fr's French adjective lexicon (Pattern's): form, part of speech, polarity,
    intensity, in order; without the accented forms whose accent-free spelling is a French noun
    or function word. Triage reads words without accents, and "sûr" must not make every "sur"
    (or "équipé" every "équipe") a sentiment word. Verbs stay: "oublié" is "oublie"."""
    # Package data shipped with textblob-fr, not untrusted input.
    xml = package_file("textblob_fr", "fr-sentiment.xml")
    words = list(ElementTree.fromstring(xml).iter("word"))  # noqa: S314
    forms = {element.get("form") or "" for element in words}
    homographs = _french_homographs(forms)
    rows = []
    for element in words:
        form = element.get("form") or ""
        folded = fold_words(form)
        readable = len(folded) == 1 and len(folded[0]) >= 2  # else the scorer never reads it
        if readable and folded[0] != form and folded[0] in homographs:
            continue
        rows.append(
            (
                form,
                element.get("pos") or "",
                element.get("polarity", "0.0"),
                element.get("intensity", "1.0"),
            )
        )
    header = [
        f"# French adjectives, from textblob-fr {version('textblob-fr')}"
        " (fr-sentiment.xml: form, part of speech, polarity, intensity).",
        "# Tom De Smedt, Walter Daelemans, fabelier.org (Pattern), PDDL; packaged in",
        "# textblob-fr, Copyright 2013 Steven Loria, MIT License (see NOTICE in this folder).",
        "# Left out: accented forms whose accent-free spelling is a French noun or function",
        "# word (per textblob-fr's Lefff-based fr-lexicon.txt): 'sur' must not read as 'sûr'.",
        "# Made by tests/support/ingest_lexicons.py from the installed package: do not edit.",
    ]
    return _table(header, rows)


def _french_homographs(sentiment_forms: set[str]) -> frozenset[str]:
    """Folded spellings of French nouns and function words that are not sentiment forms
    themselves, from textblob-fr's part-of-speech lexicon (Lefff)."""
    homographs = set(FUNCTION_WORDS["fr"])
    for line in package_file("textblob_fr", "fr-lexicon.txt").splitlines():
        form, _, tag = line.partition(" ")
        if tag in _NON_SENTIMENT_TAGS and form.lower() not in sentiment_forms:
            homographs.update(fold_text(form).words)
    return frozenset(homographs)


def build() -> dict[str, str]:
    """Each shipped file's name and content."""
    return {
        "vader_lexicon.tsv": vader_lexicon(),
        "vader_emoji.tsv": vader_emoji(),
        "vader_boosters.tsv": vader_boosters(),
        "vader_negations.tsv": vader_negations(),
        "textblob_fr_sentiment.tsv": french_sentiment(),
    }


def main() -> None:
    for name, content in build().items():
        (DATA / name).write_text(content, "utf-8")
        print(f"wrote {DATA / name}", file=sys.stderr)


if __name__ == "__main__":
    main()
