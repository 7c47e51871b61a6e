"""Brand keywords in a post: one matcher for every connector that filters by keyword."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache


class Keywords:
    """Keywords and phrases matched whole, ignoring case (`@acme`, `C++` included); the words
    of a phrase may be apart by any whitespace. No keywords match nothing."""

    __slots__ = ("_pattern",)

    def __init__(self, keywords: Sequence[str]) -> None:
        self._pattern = _pattern(tuple(keywords))

    def __bool__(self) -> bool:
        return self._pattern is not None

    def match(self, text: str | None) -> bool:
        return bool(self._pattern and text and self._pattern.search(text))


def matches_keywords(text: str, keywords: Sequence[str]) -> bool:
    """Whether one of `keywords` occurs in `text` (see `Keywords`); False with none."""
    return Keywords(keywords).match(text)


@lru_cache(maxsize=512)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """Compiled once per keyword list: connectors match the same source's list on every item."""
    phrases = sorted({" ".join(k.split()) for k in keywords if k.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in phrases)
    # Lookarounds rather than \b: a keyword may start or end with a non-word character (C++, @acme).
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
