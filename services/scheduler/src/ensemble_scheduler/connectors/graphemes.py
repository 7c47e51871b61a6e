"""Counting user-perceived characters (Unicode extended grapheme clusters), as Bluesky counts
its 300-character limit: an emoji with its skin tone, a flag, a family joined by ZWJs, or a
letter with its combining accents is one.

The common rules of UAX #29 (GB3, GB9, GB9a, GB11, GB12/13) over `unicodedata`; Hangul jamo
sequences are counted per jamo (precomposed syllables, what keyboards type, count as one).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """Grapheme_Extend, ZWJ and SpacingMark: joins the character before it."""
    point = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char == ZWJ
        or 0x1F3FB <= point <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= point <= 0xE007F  # emoji tag sequences (subdivision flags)
    )


def pictographic(char: str) -> bool:
    point = ord(char)
    return point >= 0x1F000 or 0x2190 <= point <= 0x2BFF or char in "\u00a9\u00ae"


def regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def clusters(text: str) -> Iterator[str]:
    """The user-perceived characters of `text`, in order."""
    cluster = ""
    regional_run = 0
    for char in text:
        previous = cluster[-1:]
        joins = bool(previous) and (
            (previous == "\r" and char == "\n")
            or _extends(char)
            or (previous == ZWJ and pictographic(char))
            or (regional(char) and regional_run % 2 == 1)
        )
        regional_run = regional_run + 1 if regional(char) else 0
        if joins:
            cluster += char
        else:
            if cluster:
                yield cluster
            cluster = char
    if cluster:
        yield cluster


def graphemes(text: str) -> int:
    return sum(1 for _ in clusters(text))
