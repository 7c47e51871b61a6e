"""Templates: one Jinja environment for every page, with the request's language in it.

Templates live in `templates/<area>/` and extend `base.html`. In a template, `_("…")` and
`{% trans %}` translate (English is the msgid), `value|label("kind")` names an enum value
(`web/labels.py`), `moment|when` shows a date in the person's zone and language, `day|day`
a calendar day and `x|number`, `ratio|percent`, `seconds|duration` figures in the person's
language; `visit` is the request (`visit.me`, `visit.csrf`, `visit.i18n`). `{{ csrf_field() }}` goes
in every form that posts.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from ensemble_console.web.csrf import FIELD
from ensemble_console.web.i18n import Translator
from ensemble_console.web.labels import label
from ensemble_console.web.settings_menu import menu_for, within

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def _translator(context: Context) -> Translator:
    translator: Translator = context["visit"].i18n
    return translator


@pass_context
def _gettext(context: Context, message: str) -> str:
    return _translator(context).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return _translator(context).ngettext(singular, plural, n)


@pass_context
def _label(context: Context, value: object, kind: str) -> str:
    return label(_translator(context), kind, value)


@pass_context
def _when(context: Context, moment: datetime | None, style: str = "medium") -> str:
    return _translator(context).when(moment, style)


@pass_context
def _day(context: Context, moment: date | None, style: str = "medium") -> str:
    return _translator(context).day(moment, style)


@pass_context
def _number(context: Context, value: float | None, digits: int = 0) -> str:
    return _translator(context).number(value, digits)


@pass_context
def _percent(context: Context, ratio: float | None, signed: bool = False) -> str:
    return _translator(context).percent(ratio, signed)


@pass_context
def _duration(context: Context, seconds: float | None) -> str:
    return _translator(context).duration(seconds)


@pass_context
def _csrf_field(context: Context) -> Markup:
    token = context["visit"].csrf
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


class Pages:
    def __init__(self, folder: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates ship with the code: no stat of each file per page
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=_gettext, ngettext=_ngettext, newstyle=True
        )
        self.env.filters["label"] = _label
        self.env.filters["when"] = _when
        self.env.filters["day"] = _day
        self.env.filters["number"] = _number
        self.env.filters["percent"] = _percent
        self.env.filters["duration"] = _duration
        self.env.globals["csrf_field"] = _csrf_field
        self.env.globals["settings_menu"] = menu_for
        self.env.globals["in_settings"] = within

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)
