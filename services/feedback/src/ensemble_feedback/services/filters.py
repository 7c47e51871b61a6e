"""Profanity and spam filters for French and English member text: pure functions, no I/O.

Profanity: glin-profanity's English dictionary with its leetspeak and Unicode normalisation,
plus curated French and English word lists (data/). glin-profanity's own French list was
measured on the labelled sample in tests/unit/feedback and left out: it misses common insults
("connards", "salopard", "fdp") and flags ordinary French ("bosser", "veuve", "gerbe",
"tanche", "un baiser", "bite-sized"). Its obfuscated (substring) mode flags nearly every
sentence, so matching stays whole-word.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from glin_profanity import Filter  # type: ignore[import-untyped]

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|ru|xyz|top|biz|info|ly)\b", re.I
)
_REPEATED = re.compile(r"(.)\1{5,}")  # six or more of the same character
_SPACES = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")


def _wordlist(name: str) -> list[str]:
    text = (resources.files("ensemble_feedback") / "data" / name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def fold(text: str) -> str:
    """Lowercase, accents removed, whitespace collapsed: how phrases and duplicates compare."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


@cache
def _profanity() -> Filter:
    return Filter(
        {
            "languages": ["english"],
            "custom_words": _wordlist("profanity_fr.txt") + _wordlist("profanity_en_extra.txt"),
            "detect_leetspeak": True,
            "leetspeak_level": "moderate",
            "normalize_unicode": True,
        }
    )


@cache
def _spam_phrases() -> tuple[str, ...]:
    return tuple(fold(p) for p in _wordlist("spam_phrases.txt"))


def profanity(text: str) -> list[str]:
    """The profane words or phrases found (empty when clean)."""
    # Collapsed whitespace: glin's phrase matching needs single spaces ("ta  gueule").
    result = _profanity().check_profanity(_SPACES.sub(" ", text.replace("\u00ad", "")))
    return sorted({w.casefold() for w in result.get("profane_words") or []})


@dataclass(frozen=True)
class SpamSignals:
    """What a text looks like, as counts; `score` weighs them (see `spam_score`)."""

    links: int
    repeated_runs: int
    caps_ratio: float
    letters: int
    phrases: tuple[str, ...]

    @property
    def shouting(self) -> bool:
        # Short texts ("OK", "MERCI !") are not shouting; long all-caps ones usually are.
        return self.letters >= 20 and self.caps_ratio >= 0.8


def spam_signals(text: str) -> SpamSignals:
    letters = _LETTER.findall(_URL.sub(" ", text))  # links are often lowercase: not counted
    upper = sum(1 for c in letters if c.isupper())
    folded = fold(text)
    return SpamSignals(
        links=len(_URL.findall(text)),
        repeated_runs=len(_REPEATED.findall(text)),
        caps_ratio=upper / len(letters) if letters else 0.0,
        letters=len(letters),
        phrases=tuple(p for p in _spam_phrases() if re.search(rf"\b{re.escape(p)}\b", folded)),
    )


# Weights: a known spam phrase or many links each say "spam" on their own; shouting and
# stretched characters only add up. HOLD from 2, REJECT from 4 (see `SpamVerdict`).
HOLD_SCORE = 2
REJECT_SCORE = 4


def spam_reasons(signals: SpamSignals, *, duplicate: bool = False) -> dict[str, int]:
    """Each spam reason found, with its weight."""
    reasons: dict[str, int] = {}
    if signals.links >= 6:
        reasons["links"] = 4
    elif signals.links >= 3:
        reasons["links"] = 2
    if signals.repeated_runs:
        reasons["repeated_characters"] = 1
    if signals.shouting:
        reasons["all_caps"] = 1
    for phrase in signals.phrases:
        reasons[f"spam_phrase:{phrase}"] = 2
    if duplicate:
        reasons["duplicate"] = 2
    return reasons


def spam_score(reasons: dict[str, int]) -> int:
    return sum(reasons.values())


def fingerprint(text: str) -> str:
    """Same text, same fingerprint, whatever its case, accents, spacing or punctuation."""
    letters = "".join(c for c in fold(text) if c.isalnum())
    return hashlib.sha256(letters.encode()).hexdigest()[:32]
