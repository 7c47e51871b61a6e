"""Folds a text once into the lowercase, accent-free words every triage step reads."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _fold_table() -> bytes:
    """Byte map: ASCII letters and digits stay (lowered); every other ASCII byte separates.

    A few lead bytes of multi-byte characters map to a space too, and the decoder then drops
    their orphaned continuation bytes: 0xC2 (U+0080..U+00BF: « » ¡ ¿ NBSP ©), 0xE2 (U+2000..:
    quotes, dashes and symbols), 0xEF (variation selectors, BOM), 0xF0 (emoji, collected first).
    """
    table = bytearray(range(256))
    for byte in range(0x80):
        if 0x41 <= byte <= 0x5A:
            table[byte] = byte + 32
        elif not (0x30 <= byte <= 0x39 or 0x61 <= byte <= 0x7A):
            table[byte] = 0x20
    for lead in (0xC2, 0xE2, 0xEF, 0xF0):
        table[lead] = 0x20
    return bytes(table)


def _latin1_fold_table() -> bytes:
    """`_fold_table`, plus the continuation byte of each Latin-1 letter (0xC3 0x80..0xBF) mapped
    to its base letter, lowered: NFKD's fold of "À".."ÿ", without NFKD."""
    table = bytearray(_fold_table())
    for code in range(0xC0, 0x100):
        base = unicodedata.normalize("NFKD", chr(code))[0].lower()
        table[0x80 + code - 0xC0] = ord(base) if base.isascii() and base.isalnum() else 0x20
    return bytes(table)


_FOLD_TABLE = _fold_table()
_LATIN1_FOLD_TABLE = _latin1_fold_table()
# Lead bytes of the combining marks NFKD splits off (U+0300..U+036F): deleting them, and letting
# the decoder drop their orphaned continuation bytes, is what makes "é" read as "e".
_COMBINING_MARK_LEADS = b"\xcc\xcd"
# Every byte but the lead bytes of cased letters NFKD leaves whole (æ Œ Ø ß, Greek, Cyrillic).
_UNCASED_BYTES = bytes(b for b in range(256) if not 0xC3 <= b <= 0xD6 or b in (0xCC, 0xCD))
# Each pattern starts with a literal byte so the regex engine can skip to candidates quickly: a
# pattern that starts with a character class scans several times slower.
# (The groups make `split` return the emoji between the pieces of text.)
_EMOJI = re.compile(rb"(\xf0\x9f[\x80-\xbf][\x80-\xbf])")  # U+1F000..U+1FFFF
_SYMBOLS = re.compile(rb"(\xe2[\x86-\xaf][\x80-\xbf])")  # U+2180..U+2BFF: arrows, ❤ ☺ ★
_CJK_PUNCTUATION = re.compile(rb"\xe3\x80[\x80-\xbf]")
# For the Latin-1 fast path: what it turns into spaces, and what it leaves to NFKD.
_GENERAL_PUNCTUATION = re.compile(rb"\xe2\x80[\x80-\xbf]")  # U+2000..U+203F: quotes, dashes
# U+0080..U+00BF but ª ² ³ µ ¹ º ¼ ½ ¾, which NFKD turns into letters and digits.
_LATIN1_PUNCTUATION = re.compile(rb"\xc2[\x80-\xa9\xab-\xb1\xb4\xb6-\xb8\xbb\xbf]")
# Latin-1 characters without a decomposition (Æ Ð Ø Þ ß æ ð ø þ, and the signs of * and /).
_LATIN1_WHOLE = re.compile(rb"\xc3[\x86\x90\x97\x98\x9e\x9f\xa6\xb0\xb7\xb8\xbe]")
_SELECTORS_AND_BOM = re.compile(rb"\xef(?:\xb8[\x80-\x8f]|\xbb\xbf)")
# Pictographs NFKD rewrites (① -> 1, 🄰 -> A): a text with one takes the NFKD path.
_DECOMPOSABLE_SYMBOLS = frozenset(
    chr(code).encode()
    for code in (*range(0x2180, 0x2C00), *range(0x1F000, 0x20000))
    if unicodedata.normalize("NFKD", chr(code)) != chr(code)
)
_ASCII_AND_LATIN1_BYTES = bytes(range(0xC0)) + b"\xc3"


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text as triage reads it."""

    words: list[str]  # lowercase, without accents, in order: "Ça plante" -> ["ca", "plante"]
    emoji: list[str]  # its emoji and pictographs, in order, apart from the words


def fold_text(text: str) -> FoldedText:
    """Splits a text into folded words and emoji; punctuation separates words.

    Works on UTF-8 bytes: byte translation and literal-prefixed searches run several times
    faster than the equivalent str operations, and this runs for every mention. Keeping emoji
    apart leaves the words of most texts pure ASCII, which every later step reads faster.
    """
    if text.isascii():
        return FoldedText(text.encode("ascii").translate(_FOLD_TABLE).decode("ascii").split(), [])
    data = text.encode("utf-8", "ignore")
    return _fold_latin1(data) or _fold_nfkd(text)


def _fold_latin1(data: bytes) -> FoldedText | None:
    """The fold of a text written in ASCII and Latin-1 letters, with punctuation and emoji
    (most posts in Western European languages), without NFKD, which costs as much as the rest
    of the fold; None for any other text. Gives exactly what `_fold_nfkd` gives."""
    found: list[bytes] = []
    if b"\xf0" in data:
        pieces = _EMOJI.split(data)  # text, emoji, text, emoji, ..., text
        found = pieces[1::2]
        data = b" ".join(pieces[::2])
    if b"\xe2" in data:  # (a one-byte `in` is a memchr; a longer needle scans far slower)
        data = _GENERAL_PUNCTUATION.sub(b" ", data)
        if b"\xe2" in data:
            pieces = _SYMBOLS.split(data)
            found += pieces[1::2]
            data = b" ".join(pieces[::2])
    if found and not _DECOMPOSABLE_SYMBOLS.isdisjoint(found):
        return None
    if b"\xef" in data:
        data = _SELECTORS_AND_BOM.sub(b" ", data)
    if b"\xc2" in data:
        data = _LATIN1_PUNCTUATION.sub(b" ", data)
    emoji = [symbol.decode() for symbol in found]
    if data.isascii():
        return FoldedText(data.translate(_FOLD_TABLE).decode("ascii").split(), emoji)
    if data.translate(None, _ASCII_AND_LATIN1_BYTES) or _LATIN1_WHOLE.search(data):
        return None
    words = data.translate(_LATIN1_FOLD_TABLE, b"\xc3").decode("ascii").split()
    return FoldedText(words, emoji)


def _fold_nfkd(text: str) -> FoldedText:
    """The fold of any text: NFKD splits accents off letters, which are then dropped."""
    data = unicodedata.normalize("NFKD", text).encode("utf-8", "ignore")
    found: list[bytes] = _EMOJI.findall(data) if b"\xf0" in data else []
    if b"\xe2" in data:
        found += _SYMBOLS.findall(data)
    if b"\xe3" in data:
        data = _CJK_PUNCTUATION.sub(b" ", data)
    folded = data.translate(_FOLD_TABLE, _COMBINING_MARK_LEADS).decode("utf-8", "ignore")
    if data.translate(None, _UNCASED_BYTES):
        folded = folded.lower()  # the byte table only lowers ASCII
    return FoldedText(folded.split(), [symbol.decode() for symbol in found])


def fold_words(text: str) -> list[str]:
    """The folded words of a text, then its emoji: "Ça marche pas!! 😡" -> [ca, marche, pas, 😡]."""
    folded = fold_text(text)
    return folded.words + folded.emoji
