"""X's weighted text length, as X counts its 280 (docs.x.com: counting characters; the v3
configuration of twitter-text, X's own counting library).

The text is NFC-normalised first. Any link counts 23, whatever its length (X shortens it to a
t.co link). An emoji — with its skin tone, a flag, a ZWJ family or a keycap — counts 2. Any
other code point counts 1 in Latin, Greek, Cyrillic, Hebrew, Arabic, Devanagari and the other
scripts up to U+10FF, general punctuation (U+2000-200D, U+2010-201F, U+2032-2037), and 2
elsewhere: CJK, Hangul, symbols.

Links are what twitter-text finds with a scheme (`https://…`) or a bare name under a common
top-level domain (`acme.fr/offre`); twitter-text knows every TLD, so a bare name under a rare
one counts here character by character and X may count it longer (X then refuses the post,
and its reason is recorded).
"""

from __future__ import annotations

import re
import unicodedata

from ensemble_scheduler.connectors.graphemes import clusters, pictographic, regional

MAX_WEIGHTED = 280
LINK_WEIGHT = 23
LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
"""Code point ranges that weigh 1; every other code point weighs 2."""
KEYCAP = "\u20e3"

_COMMON_TLDS = (
    "com|org|net|edu|gov|io|co|ai|app|dev|info|biz|me|tv|eu|fr|de|uk|es|it|nl|be|ch|ca|us|jp|"
    "cn|br|au|in|ru|pl|se|no|dk|fi|pt|at|ie|ly|gl|gg|xyz|shop|blog|news"
)
_LINK = re.compile(
    r"https?://[^\s<>\"]+"
    rf"|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_COMMON_TLDS})\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]'\""


def links(text: str) -> list[tuple[int, int]]:
    """Spans of the links in `text`, without the punctuation that usually ends a sentence."""
    spans = []
    for match in _LINK.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        spans.append((start, end))
    return spans


def _code_point(char: str) -> int:
    point = ord(char)
    return 1 if any(low <= point <= high for low, high in LIGHT) else 2


def _plain(text: str) -> int:
    """The weight of text without links: an emoji cluster 2, other code points 1 or 2."""
    total = 0
    for cluster in clusters(text):
        first = cluster[0]
        if pictographic(first) or regional(first) or KEYCAP in cluster:
            total += 2
        else:
            total += sum(_code_point(c) for c in cluster)
    return total


def weighted_length(text: str) -> int:
    """The length X counts for `text` (at most `MAX_WEIGHTED` in a post)."""
    text = unicodedata.normalize("NFC", text)
    total, at = 0, 0
    for start, end in links(text):
        total += _plain(text[at:start]) + LINK_WEIGHT
        at = end
    return total + _plain(text[at:])
