"""An API's 422 turned into messages a form shows next to its fields.

Forms of the admin screens name their fields after where the value goes in the API's body
(`deadlines.sla_minutes`, `steps.0.people`), so an error's place in the body is also the field
it belongs to: a list item (`steps.0.people.1`) belongs to the field that holds the list, and
an error no field holds (the body as a whole) is shown above the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.requests import Request

from ensemble_console.clients import ApiError


@dataclass(frozen=True)
class FormErrors:
    """Messages by field name, and those that belong to the whole form."""

    fields: dict[str, str] = field(default_factory=dict)
    general: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def form_errors(exc: ApiError, names: Iterable[str]) -> FormErrors:
    """Each of the API's field errors placed on the longest field name that holds it."""
    known = set(names)
    placed: dict[str, str] = {}
    general: list[str] = []
    for where, message in exc.fields.items():
        named, colon, rest = message.partition(": ")
        if colon and not where and named in known:
            where, message = named, rest  # a rule across fields names the one at fault
        elif colon and where.endswith(f".{named}"):
            message = rest  # "backup: name at least one person" on steps.0.backup
        parts = where.split(".") if where else []
        holder = next(
            (".".join(parts[:n]) for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in known),
            None,
        )
        if holder is None:
            general.append(message)
        else:
            placed.setdefault(holder, message)
    if not exc.fields:
        general.append(exc.message)
    return FormErrors(placed, tuple(general))


def listed(text: str) -> list[str]:
    """Values typed comma- or space-separated, in order, without repeats."""
    return list(dict.fromkeys(text.replace(",", " ").split()))


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's text fields (the first value of each; files ignored)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
