"""The sentiment lexicons: VADER's and textblob-fr's tables, shipped as data, with our supplement.

The tables live in `ensemble_ingest/data/` (see the NOTICE there): this module reads them once
per process and turns them into the lookups the scorers (`triage.sentiment`) use per word.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources

from ensemble_ingest.triage.text import fold_words

# textblob-fr's negations ("n'" folds to "n"), and "aucune" it forgets.
FRENCH_NEGATIONS = frozenset(
    ("n", "ne", "ni", "non", "pas", "rien", "sans", "aucun", "aucune", "jamais")
)

# Emoji whose VADER valence (from their description) contradicts how posts use them: "😡" is a
# "pouting face" (0), "👍" "thumbs up" (0), "🔥" "fire" (-1.4).
_EMOJI_OVERRIDES = {
    "😡": -2.4,
    "🤬": -3.0,
    "😠": -2.3,
    "😤": -1.2,
    "🙄": -1.2,
    "😒": -1.2,
    "💩": -1.5,
    "👎": -1.8,
    "👍": 1.6,
    "👌": 1.2,
    "🙏": 1.0,
    "🙌": 1.5,
    "🔥": 1.5,
}
# Support vocabulary VADER lacks, valued like its nearest VADER word ("crashing" as "crash").
_ENGLISH_SUPPLEMENT = {
    **dict.fromkeys(("crashing", "crashes", "crashed"), -1.7),
    **dict.fromkeys(("outage", "outages", "overcharged"), -1.5),
    **dict.fromkeys(("glitch", "glitches", "glitchy", "bug", "bugs", "buggy"), -1.2),
    "laggy": -1.4,
    "unusable": -2.0,
    "nightmare": -2.5,
    "ripoff": -2.5,
    "scammed": -2.7,
    "canceled": -1.0,
}
# Words textblob-fr's adjective lexicon lacks or reads the wrong way round, as social posts use
# them: (polarity, intensity, is a modifier).
_FRENCH_SUPPLEMENT: dict[str, tuple[float, float, bool]] = {
    **dict.fromkeys(("top", "bravo", "nickel"), (0.6, 1.0, False)),
    **dict.fromkeys(("reussi", "reussie", "reussis", "reussies"), (0.6, 1.0, False)),
    "bof": (-0.3, 1.0, False),
    **dict.fromkeys(("nul", "nulle", "nuls", "nulles", "naze", "nase"), (-0.6, 1.0, False)),
    **dict.fromkeys(("panne", "pannes", "galere", "abuse", "penible"), (-0.5, 1.0, False)),
    **dict.fromkeys(("abime", "abimee", "abimes", "abimees"), (-0.5, 1.0, False)),
    **dict.fromkeys(("bug", "bugs", "beug", "bugue", "plantage"), (-0.4, 1.0, False)),
    **dict.fromkeys(("arnaque", "arnaques", "scandale", "honte"), (-0.7, 1.0, False)),
    **dict.fromkeys(("inadmissible", "inacceptable", "deteste"), (-0.7, 1.0, False)),
    **dict.fromkeys(
        ("incompetent", "incompetente", "incompetents", "defectueux", "defectueuse"),
        (-0.6, 1.0, False),
    ),
}
# Idioms whose meaning is not the sum of their words: (words, polarity).
_FRENCH_IDIOM_LIST: tuple[tuple[tuple[str, ...], float], ...] = (
    (("pas", "terrible"), -0.4),
    (("trop", "bien"), 0.7),
    (("trop", "cool"), 0.7),
    (("trop", "top"), 0.7),
    (("bien", "joue"), 0.7),
    (("marche", "pas"), -0.5),
    (("marche", "plus"), -0.5),
    (("fonctionne", "pas"), -0.5),
    (("fonctionne", "plus"), -0.5),
    (("n", "importe", "quoi"), -0.5),
)


def _idioms_by_first_words() -> dict[str, dict[str, tuple[tuple[str, ...], float]]]:
    """First word -> second word -> (the words after, polarity): a lookup per word scored."""
    idioms: dict[str, dict[str, tuple[tuple[str, ...], float]]] = {}
    for phrase, polarity in _FRENCH_IDIOM_LIST:
        idioms.setdefault(phrase[0], {})[phrase[1]] = (phrase[2:], polarity)
    return idioms


FRENCH_IDIOMS = _idioms_by_first_words()

# Emoticons start with one of these characters (see `sentiment._emoticons`).
EMOTICON_STARTS = ":;=<"


class Mark(Enum):
    """What the marks of `Lexicons` give a word that is not simply added: it modifies others,
    or is modified, or starts an idiom."""

    MODIFIER = "modifier"


@dataclass(frozen=True, slots=True)
class Lexicons:
    """Everything scoring reads, built once from the shipped tables (see `lexicons`)."""

    # English: folded word -> VADER valence (boosters are modifiers, not words).
    english: dict[str, float]
    # The valences, and the words that modify the next three (boosters, negations) marked.
    english_marks: dict[str, float | Mark]
    boosters: dict[str, float]
    english_negations: frozenset[str]
    # French: folded word -> (polarity, intensity, is a modifier), as textblob-fr has it.
    french: dict[str, tuple[float, float, bool]]
    # The polarity of the words that neither modify nor negate, nor start an idiom; the other
    # words that matter (and the rare plain word of polarity 0, which `compress` would skip)
    # are marked.
    french_marks: dict[str, float | Mark]
    emoji: dict[str, float]  # emoji -> VADER valence, for every language
    emoticons: dict[str, float]  # lowercase emoticon (":)", "<3") -> VADER valence


@functools.cache
def lexicons() -> Lexicons:
    """Reads the shipped tables, once per process."""
    raw: dict[str, float] = {}
    for token, measure in _rows("vader_lexicon.tsv"):
        raw[token] = float(measure)  # a repeated token keeps its last value, as in VADER
    boosters = {
        word: float(scale) for word, scale in _rows("vader_boosters.tsv") if " " not in word
    }
    words = {word: v for word, v in raw.items() if word.isalnum() and word not in boosters}
    words.update(_ENGLISH_SUPPLEMENT)
    english_negations = frozenset(
        word for (word,) in _rows("vader_negations.tsv") if word.isalpha()
    )
    emoticons = {
        token.lower(): raw.get(token.lower(), valence)
        for token, valence in raw.items()
        if token[0] in EMOTICON_STARTS and " " not in token
    }
    emoji: dict[str, float] = {}
    for symbol, description in _rows("vader_emoji.tsv"):
        valence = sum(words.get(word, 0.0) for word in fold_words(description))
        if valence:
            emoji[symbol] = valence
    emoji.update(_EMOJI_OVERRIDES)

    french = _french_lexicon()
    modifiers = frozenset(boosters) | english_negations | {"t", "no", "least", "kind"}
    return Lexicons(
        english=words,
        english_marks={**words, **dict.fromkeys(modifiers, Mark.MODIFIER)},
        boosters=boosters,
        english_negations=english_negations,
        french=french,
        french_marks={
            **dict.fromkeys((*french, *FRENCH_NEGATIONS, *FRENCH_IDIOMS), Mark.MODIFIER),
            **{
                word: polarity
                for word, (polarity, _, is_modifier) in french.items()
                if polarity
                and not is_modifier
                and word not in FRENCH_NEGATIONS
                and word not in FRENCH_IDIOMS
            },
        },
        emoji=emoji,
        emoticons=emoticons,
    )


def _french_lexicon() -> dict[str, tuple[float, float, bool]]:
    """textblob-fr's lexicon by folded word: senses and parts of speech averaged, as it does."""
    senses: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for form, pos, polarity_text, intensity_text in _rows("textblob_fr_sentiment.tsv"):
        senses[form][pos].append((float(polarity_text), float(intensity_text)))
    by_folded: dict[str, list[tuple[float, float, bool]]] = defaultdict(list)
    for form, by_pos in senses.items():
        folded = fold_words(form)
        # A form that folds into several words, or into one letter (the elided "n'", folded
        # "n", a negation, which textblob-fr's own tokenizer never matches), is never read.
        # (Accented forms that fold into a noun, "sûr" into "sur", are left out of the table.)
        if len(folded) != 1 or len(folded[0]) < 2:
            continue
        per_pos = [_mean_pairs(pairs) for pairs in by_pos.values()]
        polarity, intensity = _mean_pairs(per_pos)
        by_folded[folded[0]].append((polarity, intensity, "RB" in by_pos))
    lexicon = {
        word: (
            sum(entry[0] for entry in entries) / len(entries),
            sum(entry[1] for entry in entries) / len(entries),
            any(entry[2] for entry in entries),
        )
        for word, entries in by_folded.items()
    }
    lexicon.update(_FRENCH_SUPPLEMENT)
    return lexicon


def _rows(name: str) -> Iterator[list[str]]:
    """The tab-separated rows of a shipped table, its `#` header left out."""
    text = (resources.files("ensemble_ingest") / "data" / name).read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


def _mean_pairs(pairs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return sum(p for p, _ in pairs) / len(pairs), sum(i for _, i in pairs) / len(pairs)
