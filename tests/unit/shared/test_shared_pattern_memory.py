"""Patterns in route and model constraints are compiled by pydantic-core's Rust regex engine
once per parameter that uses them; a bounded repetition of a Unicode class (`[\\w-]{1,200}`)
costs it megabytes each (16 MB for that one, measured), which once made the console the
heaviest service at rest. Lengths are bounded with max_length instead; this keeps it so."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# a Unicode class (\w, \S, \d, a negated set) repeated {m,n} inside a string literal
COSTLY = re.compile(r"""(\\[wWSD]|\[\^)[^"'\n]*\{\d+,\d+\}""")
# where such a string becomes a constraint: `pattern=…`, or a constant given to one later
# (Python's own `re.compile` is not concerned)
CONSTRAINT = re.compile(r"""pattern|^\s*[A-Za-z_]\w* = r?["']""")


def costly(line: str) -> bool:
    return bool(CONSTRAINT.search(line) and COSTLY.search(line)) and "re.compile" not in line


def test_no_constraint_pattern_repeats_a_unicode_class_a_bounded_number_of_times() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for base in ("services", "shared")
        for path in sorted((ROOT / base).glob("**/src/**/*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if costly(line)
    ]
    assert found == []


def test_the_check_finds_a_costly_pattern() -> None:
    assert costly(r'Id = Annotated[str, Path(pattern=r"^[\w-]{1,64}$")]')
    assert costly(r'ID = r"^[\w-]{1,200}$"')
    assert not costly(r'Id = Annotated[str, Path(max_length=64, pattern=r"^[\w-]+$")]')
    assert not costly(r'Name = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")')
    assert not costly(r'NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,63}$")')
