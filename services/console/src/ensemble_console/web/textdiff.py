"""A readable difference between two versions of a text, computed here (difflib) so any two
versions compare, not only the pairs an API chose: words kept, removed and inserted, in order,
for a page to show as plain text, `<del>` and `<ins>`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "removed", "added"]
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Piece:
    kind: Kind
    text: str


def pieces(before: str, after: str) -> list[Piece]:
    """`before` → `after` word by word (whitespace kept, so line breaks survive)."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    out: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Piece("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(Piece("removed", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(Piece("added", "".join(new[j1:j2])))
    return out


@dataclass(frozen=True)
class FieldDiff:
    field: str
    pieces: list[Piece]


def compare(before: dict[str, str], after: dict[str, str]) -> list[FieldDiff]:
    """Each field whose text differs, in the order of `after`'s fields."""
    names = list(dict.fromkeys([*after, *before]))
    return [
        FieldDiff(name, pieces(before.get(name, ""), after.get(name, "")))
        for name in names
        if before.get(name, "") != after.get(name, "")
    ]
