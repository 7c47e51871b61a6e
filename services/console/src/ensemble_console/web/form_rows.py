"""Settings edited as rows of one form (routing rules, triage rules): the fields of row `i`
are named after the API's own body paths (`rules.3.event`), so a 422 from the API lands next
to the field that caused it, once its rows are numbered back as the form numbered them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

_SEPARATORS = {False: r"[\n,]+", True: r"[\s,]+"}


def items(text: str, *, spaces: bool = False) -> list[str]:
    """Values typed one per line or comma-separated (and space-separated with `spaces`),
    without blanks or repeats."""
    parts = (part.strip() for part in re.split(_SEPARATORS[spaces], text))
    return list(dict.fromkeys(part for part in parts if part))


def indices(keys: Iterable[str], prefix: str) -> list[int]:
    """The row numbers the form sent under `prefix` (`rules` for `rules.<n>.<field>`)."""
    found = (re.match(rf"^{re.escape(prefix)}\.(\d{{1,3}})\.", key) for key in keys)
    return sorted({int(m.group(1)) for m in found if m})


def renumber(fields: Mapping[str, str], prefix: str, sent: Sequence[int]) -> dict[str, str]:
    """The API's field errors with its row numbers (the rows it was sent, blanks left out)
    turned back into the form's."""
    renumbered: dict[str, str] = {}
    for key, message in fields.items():
        parts = key.split(".")
        if (
            len(parts) > 1
            and parts[0] == prefix
            and parts[1].isdigit()
            and int(parts[1]) < len(sent)
        ):
            parts[1] = str(sent[int(parts[1])])
        renumbered.setdefault(".".join(parts), message)
    return renumbered
