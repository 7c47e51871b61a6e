"""Identity's messages in French and English: subject, plain text and HTML per kind.

Templates live in `templates/<lang>/<kind>.<part>`, around one HTML layout; HTML is
autoescaped and undefined variables raise, so a mistake fails loudly in the tests instead of
sending half a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

Kind = Literal["invitation", "reset", "magic", "verify", "email_change", "email_changed"]
Language = Literal["en", "fr"]

ROLE_NAMES: dict[Language, dict[str, str]] = {
    "en": {
        "admin": "administrator",
        "manager": "community manager",
        "approver": "approver",
        "viewer": "viewer",
        "member": "community member",
    },
    "fr": {
        "admin": "administrateur",
        "manager": "community manager",
        "approver": "approbateur",
        "viewer": "lecteur",
        "member": "membre de la communauté",
    },
}


def duration(span: timedelta, language: Language) -> str:
    """'7 days', '15 minutes', '1 heure': how long a link stays valid, in words."""
    minutes = round(span.total_seconds() / 60)
    units = {"en": ("day", "hour", "minute"), "fr": ("jour", "heure", "minute")}[language]
    for size, unit in ((1440, units[0]), (60, units[1]), (1, units[2])):
        if size == 1 or (minutes >= size and minutes % size == 0):
            count = max(1, minutes // size)
            return f"{count} {unit}{'s' if count > 1 else ''}"
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: Language


class Messages:
    def __init__(self) -> None:
        self._env = Environment(
            loader=PackageLoader("ensemble_identity", "email/templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, kind: Kind, language: Language, **context: Any) -> Rendered:
        context = {
            **context,
            "language": language,
            "roles": [ROLE_NAMES[language].get(r, r) for r in context.get("roles", ())],
        }
        parts = {
            part: self._env.get_template(f"{language}/{kind}.{part}").render(context)
            for part in ("subject.txt", "txt", "html")
        }
        return Rendered(
            subject=" ".join(parts["subject.txt"].split())[:250],
            text=parts["txt"].strip() + "\n",
            html=parts["html"],
            language=language,
        )
