"""Scores sentiment with the lexicons VADER and textblob-fr ship, at a fraction of their cost."""

from __future__ import annotations

import functools
import math
import re
import xml.etree.ElementTree as ElementTree
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib.util import find_spec
from itertools import compress
from pathlib import Path
from typing import Any

from vaderSentiment import vaderSentiment as vader

from ensemble_ingest.triage.language import FUNCTION_WORDS
from ensemble_ingest.triage.models import Sentiment
from ensemble_ingest.triage.text import FoldedText, fold_text, fold_words

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

_NEGATION_SCALAR: float = vader.N_SCALAR
_BOOSTER_DAMPING = (1.0, 0.95, 0.9)  # a booster counts less the further it is from its word
_VADER_ALPHA = 15.0  # VADER's normalization constant: compound = sum / sqrt(sum² + alpha)

# "don't" folds to "don", "t": a "t" after one of these stems is the negation.
_NT_STEMS = frozenset(
    (
        *("ain", "aren", "can", "couldn", "daren", "didn", "doesn", "don", "hadn", "hasn"),
        *("haven", "isn", "mightn", "mustn", "needn", "oughtn", "shan", "shouldn", "wasn"),
        *("weren", "won", "wouldn"),
    )
)
# textblob-fr's negations ("n'" folds to "n"), and "aucune" it forgets.
_FRENCH_NEGATIONS = frozenset(
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


_FRENCH_IDIOMS = _idioms_by_first_words()


# Emoticons are found by their first character (each pattern starts with a literal, which the
# regex engine skips to quickly), then must stand alone between spaces, as VADER requires.
_EMOTICON_STARTS = {start: re.compile(re.escape(start) + r"\S*") for start in ":;=<"}


@dataclass(frozen=True, slots=True)
class _Lexicons:
    """Everything scoring reads, built once from the packages' files (see `_lexicons`)."""

    # English: folded word -> VADER valence (boosters are modifiers, not words).
    english: dict[str, float]
    # The valences, and the words that modify the next three (boosters, negations) marked.
    english_marks: dict[str, float | _Mark]
    boosters: dict[str, float]
    english_negations: frozenset[str]
    # French: folded word -> (polarity, intensity, is a modifier), as textblob-fr has it.
    french: dict[str, tuple[float, float, bool]]
    # The polarity of the words that neither modify nor negate, nor start an idiom; the other
    # words that matter (and the rare plain word of polarity 0, which `compress` would skip)
    # are marked.
    french_marks: dict[str, float | _Mark]
    emoji: dict[str, float]  # emoji -> VADER valence, for every language
    emoticons: dict[str, float]  # lowercase emoticon (":)", "<3") -> VADER valence


@functools.cache
def _lexicons() -> _Lexicons:
    """Reads the lexicons the installed packages bundle, once per process."""
    raw: dict[str, float] = {}
    for line in _package_file("vaderSentiment", "vader_lexicon.txt").splitlines():
        if line.strip():
            token, measure = line.strip().split("\t")[:2]
            raw[token] = float(measure)  # a repeated token keeps its last value, as in VADER
    boosters = {word: scale for word, scale in vader.BOOSTER_DICT.items() if " " not in word}
    words = {word: v for word, v in raw.items() if word.isalnum() and word not in boosters}
    words.update(_ENGLISH_SUPPLEMENT)
    english_negations = frozenset(word for word in vader.NEGATE if word.isalpha())
    emoticons = {
        token.lower(): raw.get(token.lower(), valence)
        for token, valence in raw.items()
        if token[0] in _EMOTICON_STARTS and " " not in token
    }
    emoji: dict[str, float] = {}
    for line in _package_file("vaderSentiment", "emoji_utf8_lexicon.txt").splitlines():
        symbol, _, description = line.partition("\t")
        if len(symbol) == 1:
            valence = sum(words.get(word, 0.0) for word in fold_words(description))
            if valence:
                emoji[symbol] = valence
    emoji.update(_EMOJI_OVERRIDES)

    french = _french_lexicon()
    modifiers = frozenset(boosters) | english_negations | {"t", "no", "least", "kind"}
    return _Lexicons(
        english=words,
        english_marks={**words, **dict.fromkeys(modifiers, _Mark.MODIFIER)},
        boosters=boosters,
        english_negations=english_negations,
        french=french,
        french_marks={
            **dict.fromkeys((*french, *_FRENCH_NEGATIONS, *_FRENCH_IDIOMS), _Mark.MODIFIER),
            **{
                word: polarity
                for word, (polarity, _, is_modifier) in french.items()
                if polarity
                and not is_modifier
                and word not in _FRENCH_NEGATIONS
                and word not in _FRENCH_IDIOMS
            },
        },
        emoji=emoji,
        emoticons=emoticons,
    )


def _french_lexicon() -> dict[str, tuple[float, float, bool]]:
    """textblob-fr's lexicon by folded word: senses and parts of speech averaged, as it does."""
    # Package data shipped with textblob-fr, not untrusted input.
    root = ElementTree.fromstring(_package_file("textblob_fr", "fr-sentiment.xml"))  # noqa: S314
    senses: dict[str, dict[str | None, list[tuple[float, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for element in root.iter("word"):
        form = element.get("form") or ""
        polarity = float(element.get("polarity", 0.0))
        intensity = float(element.get("intensity", 1.0))
        senses[form][element.get("pos")].append((polarity, intensity))
    homographs = _french_homographs(set(senses))
    by_folded: dict[str, list[tuple[float, float, bool]]] = defaultdict(list)
    for form, by_pos in senses.items():
        folded = fold_words(form)
        # Without accents "sûr" reads "sur" and "équipé" "équipe": such a form must not turn
        # every "sur" or "équipe" into a sentiment word. Nor must the elided "n'" (folded "n",
        # a negation), which textblob-fr's own tokenizer never matches.
        if len(folded) != 1 or len(folded[0]) < 2:
            continue
        if folded[0] != form and folded[0] in homographs:
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


def _french_homographs(sentiment_forms: set[str]) -> frozenset[str]:
    """Folded spellings of French nouns and function words that have no sentiment of their own.

    Read from textblob-fr's part-of-speech lexicon (Lefff). Verbs are left out on purpose: "oublie"
    and "oublié" are the same verb and lean the same way.
    """
    lexicon = _package_file("textblob_fr", "fr-lexicon.txt")
    homographs = set(FUNCTION_WORDS["fr"])
    for line in lexicon.splitlines():
        form, _, tag = line.partition(" ")
        if tag in _NON_SENTIMENT_TAGS and form.lower() not in sentiment_forms:
            homographs.update(fold_text(form).words)
    return frozenset(homographs)


_NON_SENTIMENT_TAGS = frozenset(("NN", "NNS", "IN", "DT", "CC", "PRP", "PRP$", "WP", "WRB"))


def _package_file(package: str, name: str) -> str:
    """A data file an installed package ships, read without importing the package (importing
    textblob_fr loads its whole tagger, and warns)."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed")
    return (Path(next(iter(spec.submodule_search_locations))) / name).read_text("utf-8")


def _mean_pairs(pairs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return sum(p for p, _ in pairs) / len(pairs), sum(i for _, i in pairs) / len(pairs)


def warm_up() -> None:
    """Loads the lexicons now rather than on the first mention."""
    _lexicons()


def label(score: float) -> Sentiment:
    """The sentiment a score stands for (>= 0.05 positive, <= -0.05 negative)."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def score_sentiment(text: str, language: str | None) -> tuple[Sentiment, float]:
    """Sentiment of a text in a language (ISO 639-1), with its score in -1..1.

    Calling VADER (~300 µs) or textblob-fr (~240 µs) per mention is too slow for ingest, so this
    reuses the lexicons those packages ship, read once from their installed data files, with
    their rules simplified, on the folded words the rest of triage reads anyway:

    - English follows VADER: a sum of word valences; a booster ("very", "kinda") up to three
      words before a word scales it, a negation ("not", "never", "isn't") flips it and damps it
      by 0.74, "but" halves what precedes it and weighs what follows by 1.5, "!" and "??" add
      emphasis, and the sum is normalized to -1..1 (VADER's "compound"). Left out: ALL-CAPS
      emphasis and VADER's handful of special idioms ("the bomb", "yeah right").
    - French follows textblob-fr (pattern): the mean polarity of the known words, an adverb
      ("très", intensity 2) multiplying the word it modifies, a negation ("pas", "jamais", "n'")
      turning a word into -0.5 times itself: "pas mal" is positive, "pas bon" negative.
    - A short supplement covers what the lexicons miss or read the wrong way on social posts:
      support vocabulary ("crashing", "outage"), French slang and idioms ("nickel", "bof",
      "pas terrible", "ça marche pas"), emoji VADER misreads ("😡", "👍", "🔥").
    - Emoji and emoticons count in every language, with VADER's valences (an emoji is worth the
      words of its description); other languages score them alone.

    Thresholds are VADER's: a score >= 0.05 is positive, <= -0.05 negative, neutral between.
    """
    score = score_folded(fold_text(text), text, language)
    return label(score), score


def score_folded(
    folded: FoldedText,
    text: str,
    language: str | None,
    tokens: Collection[str] | None = None,
) -> float:
    """Score in -1..1 of a text already folded (see `text.fold_text`).

    `tokens`, the set of its words, saves a scan when the caller has it already. Emoji and
    emoticons count wherever they stand, without the words around them.
    """
    lexicons = _lexicons()
    symbols = _emoticons(text, lexicons.emoticons)
    if folded.emoji:
        emoji = lexicons.emoji
        symbols.extend(emoji[symbol] for symbol in folded.emoji if symbol in emoji)
    words = folded.words
    primary = language.partition("-")[0].lower() if language else None  # "en-GB" reads "en"
    if primary == "en":
        return _english_score(words, text, symbols, lexicons, words if tokens is None else tokens)
    if primary == "fr":
        return _french_score(words, symbols, lexicons)
    return _normalize(sum(symbols))


def _emoticons(text: str, emoticons: dict[str, float]) -> list[float]:
    """Valences of the emoticons (":)", "<3") standing between spaces in the text."""
    found: list[float] = []
    for start, pattern in _EMOTICON_STARTS.items():
        if start not in text:
            continue
        for match in pattern.finditer(text):
            at = match.start()
            if at == 0 or text[at - 1].isspace():
                valence = emoticons.get(match.group().lower())
                if valence is not None:
                    found.append(valence)
    return found


def _normalize(total: float) -> float:
    return total / math.sqrt(total * total + _VADER_ALPHA) if total else 0.0


def _english_score(
    words: Sequence[str],
    text: str,
    symbols: list[float],
    lexicons: _Lexicons,
    tokens: Collection[str],
) -> float:
    """VADER's compound score. One pass marks the valued words and the modifiers; a valued word
    with no modifier within the three words before it (most of them) is simply added."""
    # Any: float or _Mark, and `compress` skips the None; a cast() per word would cost a call.
    found: list[Any] = list(map(lexicons.english_marks.get, words))
    but = words.index("but") if "but" in tokens else -1
    modifier = _Mark.MODIFIER
    last_modifier = -4
    total = 0.0
    for i in compress(range(len(words)), found):
        valence = found[i]
        if valence is modifier:
            last_modifier = i
            valence = lexicons.english.get(words[i])  # "no", "kind": modifier and valued word
            if valence is None:
                continue
        if i - last_modifier <= 3:
            valence = _english_in_context(words, i, valence, lexicons)
        if but >= 0:
            valence *= 0.5 if i < but else 1.5  # "but": what follows outweighs what precedes
        total += valence
    total += sum(symbols)
    if total:
        emphasis = min(text.count("!"), 4) * 0.292
        questions = text.count("?")
        if questions > 1:
            emphasis += questions * 0.18 if questions <= 3 else 0.96
        total += emphasis if total > 0 else -emphasis
    return _normalize(total)


class _Mark(Enum):
    """What the marks of `_Lexicons` give a word that is not simply added: it modifies others,
    or is modified, or starts an idiom."""

    MODIFIER = "modifier"


def _english_in_context(words: Sequence[str], i: int, valence: float, lexicons: _Lexicons) -> float:
    """VADER's adjustments of words[i] by the three words before it."""
    valences, boosters, negations = lexicons.english, lexicons.boosters, lexicons.english_negations
    word = words[i]
    if i + 1 < len(words) and (
        (word == "no" and words[i + 1] in valences) or (word == "kind" and words[i + 1] == "of")
    ):
        return 0.0  # "no" negates the next word instead; "kind of" is a dampener
    if (i > 0 and words[i - 1] == "no") or (i > 1 and words[i - 2] == "no"):
        valence *= _NEGATION_SCALAR
    for distance in (1, 2, 3):
        j = i - distance
        if j < 0:
            break
        before = words[j]
        if before in valences:
            continue  # only words without a valence of their own modify
        boost = boosters.get(before)
        if boost is not None:
            boost *= _BOOSTER_DAMPING[distance - 1]
            valence += boost if valence > 0 else -boost
        elif (before in negations or before == "t") and _english_negates(words, j, i, negations):
            valence *= _NEGATION_SCALAR
    if i > 0 and words[i - 1] == "least" and (i < 2 or words[i - 2] not in ("at", "very")):
        valence *= _NEGATION_SCALAR
    return valence


def _english_negates(words: Sequence[str], j: int, i: int, negations: frozenset[str]) -> bool:
    """Whether words[j] negates words[i], VADER's way ("never so good" does not)."""
    before = words[j]
    if before == "t":
        return j > 0 and words[j - 1] in _NT_STEMS
    if before not in negations:
        return False
    between = words[j + 1 : i]
    if before == "never" and ("so" in between or "this" in between):
        return False
    return not (before == "without" and "doubt" in between)


def _french_score(words: Sequence[str], symbols: list[float], lexicons: _Lexicons) -> float:
    """textblob-fr's assessment walk, stopping only at the words that can matter.

    An assessment is a known word, possibly merged with the adverb before it ("très bon") and
    negated; the score is their mean polarity. A plain known word (no adverb or negation pending
    before it, not one itself) is final at once: that fast path is most of a long text.
    """
    lexicon = lexicons.french
    found: list[Any] = list(map(lexicons.french_marks.get, words))  # as in _english_score
    special = _Mark.MODIFIER
    total = 0.0
    count = 0
    # The last assessment stays open while an adverb or a later negation may still change it:
    # [polarity, intensity, negated].
    last: list[float] | None = None
    negation = modifier = False
    modifier_word = ""
    resume = 0  # the first word not yet read
    for i in compress(range(len(words)), found):
        if i < resume:
            continue  # inside an idiom already counted
        polarity = found[i]
        if polarity is not special and not (negation or modifier):
            total += polarity
            count += 1
            resume = i + 1
            continue
        word = words[i]
        if (negation or modifier) and i > resume:
            # Words in between end a negation unless one letter long ("pas a bon" keeps it), and
            # a modifier unless two letters long, as in textblob-fr.
            longest = max(map(len, words[resume:i]))
            negation = negation and longest <= 1
            modifier = modifier and longest <= 2
        if word in _FRENCH_IDIOMS and i + 1 < len(words):
            idiom = _FRENCH_IDIOMS[word].get(words[i + 1])
            if idiom is not None:
                rest, polarity = idiom
                if tuple(words[i + 2 : i + 2 + len(rest)]) == rest:
                    total += polarity
                    count += 1
                    negation = modifier = False
                    resume = i + 2 + len(rest)
                    continue
        resume = i + 1
        entry = lexicon.get(word)
        if entry is None:  # a negation word outside the lexicon
            if modifier and last is not None and modifier_word.endswith("ment"):
                last[2] = 1.0  # "vraiment pas bon": the negation joins the adverb
            else:
                negation = True
                modifier = modifier and len(word) <= 2
            continue
        polarity, intensity, is_modifier = entry
        if modifier and last is not None:
            last[0] = _clamp(polarity * last[1])
            last[1] = intensity
        else:
            if last is not None:
                total += last[0] * -0.5 if last[2] else last[0]
            last = [polarity, intensity, 0.0]
            count += 1
        if negation:
            last[1] = 1.0 / last[1] if last[1] else 1.0
            last[2] = 1.0
        modifier, modifier_word = is_modifier, word
        negation = word in _FRENCH_NEGATIONS
    if last is not None:
        total += last[0] * -0.5 if last[2] else last[0]  # "not good" = slightly bad
    # Emoji and emoticons on textblob-fr's scale (-1..1, VADER's is -4..4), as assessments.
    total += sum(_clamp(valence / 4) for valence in symbols)
    count += len(symbols)
    return total / count if count else 0.0


def _clamp(value: float) -> float:
    return max(-1.0, min(value, 1.0))
