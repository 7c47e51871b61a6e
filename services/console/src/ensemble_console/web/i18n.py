"""Languages: French and English pages from gettext catalogs, and which one a request gets.

English is the source language (the msgids), so only French has catalogs. They are `.po`
files read and compiled in memory when the app starts (Babel): no compile step, nothing
generated in the repository. There is one file per area (`locales/fr/<area>.po`), so helpers
adding screens in parallel touch different files; a msgid may appear in two areas only with
the same translation. `tests/unit/console/test_console_catalogs.py` fails on any string the
code marks that no catalog translates.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "fr")
DEFAULT = "en"
CATALOGS = Path(__file__).resolve().parents[1] / "locales"
NAMES = {"en": "English", "fr": "Français"}
"""Each language named in itself (the switcher): never translated."""


def N_(message: str) -> str:
    """Marks a string for the catalogs where it is defined; it is translated where shown."""
    return message


def read_catalogs(language: str, folder: Path = CATALOGS) -> Catalog:
    """Every area's `.po` of `language` as one catalog; ValueError if two areas disagree."""
    merged = Catalog(locale=language, domain="console")
    for path in sorted((folder / language).glob("*.po")):
        with path.open("rb") as handle:
            area = read_po(handle, locale=language)
        for message in area:
            if not message.id:
                continue
            known = merged.get(message.id)
            if known is not None and known.string != message.string:
                raise ValueError(f"{path.name}: {message.id!r} translated differently elsewhere")
            merged.add(message.id, message.string)
    return merged


@cache
def translations(language: str) -> NullTranslations:
    if language == DEFAULT:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogs(language))
    buffer.seek(0)
    return Translations(buffer, domain="console")


def load() -> None:
    """Read every catalog now (at start): a broken one stops the app, not a page."""
    for language in LANGUAGES:
        translations(language)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an `Accept-Language` header (q-values honoured)."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    preferred = [tag for _, _, tag in sorted(ranked)]
    found = Locale.negotiate(preferred, list(LANGUAGES), sep="-")
    return found.language if found is not None else None


def choose(*candidates: str | None) -> str:
    """The first candidate that is one of our languages, else English."""
    return next((c for c in candidates if c is not None and c in LANGUAGES), DEFAULT)


class Translator:
    """One request's language and time zone: gettext for strings, Babel for dates."""

    def __init__(self, language: str, time_zone: str | None = None) -> None:
        self.language = choose(language)
        self._translations = translations(self.language)
        self.zone: tzinfo = _zone(time_zone)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def when(self, moment: datetime | None, style: str = "medium") -> str:
        """A date and time in the person's time zone and language ('' for none)."""
        if moment is None:
            return ""
        return format_datetime(moment, style, tzinfo=self.zone, locale=self.language)

    def names(self) -> Iterable[tuple[str, str]]:
        return NAMES.items()


def _zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")
