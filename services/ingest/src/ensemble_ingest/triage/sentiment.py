"""Scores sentiment with the lexicons VADER and textblob-fr ship, at a fraction of their cost."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from itertools import compress
from typing import Any

from ensemble_ingest.models.triage import Sentiment
from ensemble_ingest.triage.lexicons import (
    EMOTICON_STARTS,
    FRENCH_IDIOMS,
    FRENCH_NEGATIONS,
    Lexicons,
    Mark,
    lexicons,
)
from ensemble_ingest.triage.text import FoldedText, fold_text

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05

_NEGATION_SCALAR = -0.74  # VADER's N_SCALAR: a negated word weighs -0.74 times itself
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

# Emoticons are found by their first character (each pattern starts with a literal, which the
# regex engine skips to quickly), then must stand alone between spaces, as VADER requires.
_EMOTICON_PATTERNS = {start: re.compile(re.escape(start) + r"\S*") for start in EMOTICON_STARTS}


def warm_up() -> None:
    """Loads the lexicons now rather than on the first mention."""
    lexicons()


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
    reuses the lexicons those packages ship (copied into ours as data, see `triage.lexicons`),
    with their rules simplified, on the folded words the rest of triage reads anyway:

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
    tables = lexicons()
    symbols = _emoticons(text, tables.emoticons)
    if folded.emoji:
        emoji = tables.emoji
        symbols.extend(emoji[symbol] for symbol in folded.emoji if symbol in emoji)
    words = folded.words
    primary = language.partition("-")[0].lower() if language else None  # "en-GB" reads "en"
    if primary == "en":
        return _english_score(words, text, symbols, tables, words if tokens is None else tokens)
    if primary == "fr":
        return _french_score(words, symbols, tables)
    return _normalize(sum(symbols))


def _emoticons(text: str, emoticons: dict[str, float]) -> list[float]:
    """Valences of the emoticons (":)", "<3") standing between spaces in the text."""
    found: list[float] = []
    for start, pattern in _EMOTICON_PATTERNS.items():
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
    tables: Lexicons,
    tokens: Collection[str],
) -> float:
    """VADER's compound score. One pass marks the valued words and the modifiers; a valued word
    with no modifier within the three words before it (most of them) is simply added."""
    # Any: float or Mark, and `compress` skips the None; a cast() per word would cost a call.
    found: list[Any] = list(map(tables.english_marks.get, words))
    but = words.index("but") if "but" in tokens else -1
    modifier = Mark.MODIFIER
    last_modifier = -4
    total = 0.0
    for i in compress(range(len(words)), found):
        valence = found[i]
        if valence is modifier:
            last_modifier = i
            valence = tables.english.get(words[i])  # "no", "kind": modifier and valued word
            if valence is None:
                continue
        if i - last_modifier <= 3:
            valence = _english_in_context(words, i, valence, tables)
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


def _english_in_context(words: Sequence[str], i: int, valence: float, tables: Lexicons) -> float:
    """VADER's adjustments of words[i] by the three words before it."""
    valences, boosters, negations = tables.english, tables.boosters, tables.english_negations
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


def _french_score(words: Sequence[str], symbols: list[float], tables: Lexicons) -> float:
    """textblob-fr's assessment walk, stopping only at the words that can matter.

    An assessment is a known word, possibly merged with the adverb before it ("très bon") and
    negated; the score is their mean polarity. A plain known word (no adverb or negation pending
    before it, not one itself) is final at once: that fast path is most of a long text.
    """
    lexicon = tables.french
    found: list[Any] = list(map(tables.french_marks.get, words))  # as in _english_score
    special = Mark.MODIFIER
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
        if word in FRENCH_IDIOMS and i + 1 < len(words):
            idiom = FRENCH_IDIOMS[word].get(words[i + 1])
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
        negation = word in FRENCH_NEGATIONS
    if last is not None:
        total += last[0] * -0.5 if last[2] else last[0]  # "not good" = slightly bad
    # Emoji and emoticons on textblob-fr's scale (-1..1, VADER's is -4..4), as assessments.
    total += sum(_clamp(valence / 4) for valence in symbols)
    count += len(symbols)
    return total / count if count else 0.0


def _clamp(value: float) -> float:
    return max(-1.0, min(value, 1.0))
