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
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "fr")
DEFAULT = "en"
CATALOGS = Path(__file__).resolve().parents[1] / "locales"
NAMES = {"en": "English", "fr": "Français"}
"""Each language named in itself (the switcher): never translated."""
NO_VALUE = "\u2013"
"""An en dash: what a figure shows when there is none (no data, no base to compare with)."""
MINUS = "\u2212"


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


@cache
def babel_locale(language: str) -> Locale:
    """Parsed once: Babel parses a locale given as text on every date or number it formats."""
    return Locale.parse(language)


class Translator:
    """One request's language and time zone: gettext for strings, Babel for dates."""

    def __init__(self, language: str, time_zone: str | None = None) -> None:
        self.language = choose(language)
        self._translations = translations(self.language)
        self.locale = babel_locale(self.language)
        self.zone: tzinfo = _zone(time_zone)

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def when(self, moment: datetime | None, style: str = "medium") -> str:
        """A date and time in the person's time zone and language ('' for none)."""
        if moment is None:
            return ""
        return _when(_instant(moment), style, self.zone, self.language)

    def at_place(self, moment: datetime, zone: str) -> str:
        """A date and time where it happens (a field event's own zone), in the person's
        language: "Saturday, 12 December 2026, 18:00"."""
        return _at_place(_instant(moment), zone, self.language)

    def span_at_place(self, start: datetime, end: datetime, zone: str) -> str:
        """From `start` to `end` where it happens; the end's day only when it is another."""
        where = _zone(zone)
        if start.astimezone(where).date() != end.astimezone(where).date():
            return f"{self.at_place(start, zone)} \u2013 {self.at_place(end, zone)}"
        until = _clock(_instant(end), zone, self.language)
        return f"{self.at_place(start, zone)} \u2013 {until}"

    def day(self, moment: date | None, style: str = "medium") -> str:
        """A calendar day in the person's language ('' for none)."""
        if moment is None:
            return ""
        if isinstance(moment, datetime):  # its own wall date: not worth a key with its zone
            return format_date(moment, style, locale=self.locale)
        return _day(moment, style, self.language)

    def number(self, value: float | None, digits: int = 0) -> str:
        """A figure in the person's language (1,234 / 1 234); a dash for none."""
        return NO_VALUE if value is None else _number(value, digits, self.language)

    def percent(self, ratio: float | None, signed: bool = False) -> str:
        """A ratio as a percentage (0.125 → 12.5 %), with its sign for a change; a dash for none."""
        if ratio is None:
            return NO_VALUE
        shown = round(abs(ratio) if signed else ratio, 3)
        text = format_percent(shown, locale=self.locale, decimal_quantization=False)
        if signed:
            return ("+" if ratio > 0 else MINUS if ratio < 0 else "±") + text
        return text

    def duration(self, seconds: float | None) -> str:
        """A duration rounded to its largest unit (3 h, 12 min); a dash for none."""
        if seconds is None:
            return NO_VALUE
        return format_timedelta(
            timedelta(seconds=seconds), threshold=1.1, format="short", locale=self.locale
        )

    def names(self) -> Iterable[tuple[str, str]]:
        return NAMES.items()


def _zone(name: str | None) -> tzinfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


# Babel formats a date in some 30 µs and a figure in some 15: a page lists the same moments
# and figures to every visitor (an event's start, its seats), so each text is kept once made,
# by language (and zone). Moments are keyed by their instant in UTC: the same instant written
# in another zone shows the same.
SHOWN = 8192


def _instant(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC)


@lru_cache(maxsize=SHOWN)
def _when(moment: datetime, style: str, zone: tzinfo, language: str) -> str:
    return format_datetime(moment, style, tzinfo=zone, locale=babel_locale(language))


@lru_cache(maxsize=SHOWN)
def _at_place(moment: datetime, zone: str, language: str) -> str:
    local = moment.astimezone(_zone(zone))
    day = format_date(local, "full", locale=babel_locale(language))
    return f"{day}, {_clock(moment, zone, language)}"


@lru_cache(maxsize=SHOWN)
def _clock(moment: datetime, zone: str, language: str) -> str:
    return format_time(moment.astimezone(_zone(zone)), "short", locale=babel_locale(language))


@lru_cache(maxsize=SHOWN)
def _day(moment: date, style: str, language: str) -> str:
    return format_date(moment, style, locale=babel_locale(language))


@lru_cache(maxsize=SHOWN, typed=True)
def _number(value: float, digits: int, language: str) -> str:
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, pattern, locale=babel_locale(language))
