"""Every string the console marks for translation has its French, and the areas agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from ensemble_console.web import i18n
from ensemble_console.web.labels import LABELS, label

ROOT = Path(i18n.__file__).resolve().parents[1]
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def marked() -> set[str]:
    found = extract_from_dir(
        ROOT,
        METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {m if isinstance(m, str) else m[0] for _, _, m, _, _ in found}


def test_every_marked_string_has_its_french_translation() -> None:
    catalog = i18n.read_catalogs("fr")
    strings = marked()
    assert len(strings) > 200  # the extraction sees templates and code
    translated = {str(m.id) for m in catalog if m.id and m.string}
    missing = sorted(strings - translated)
    assert missing == []


def test_catalogs_hold_no_string_the_code_no_longer_uses() -> None:
    catalog, strings = i18n.read_catalogs("fr"), marked()
    unused = sorted(m.id for m in catalog if m.id and m.id not in strings)
    assert unused == []


def test_translations_keep_their_placeholders() -> None:
    import re

    for message in i18n.read_catalogs("fr"):
        if message.id:
            names = re.findall(r"%\((\w+)\)s", str(message.id))
            assert sorted(re.findall(r"%\((\w+)\)s", str(message.string))) == sorted(names)


def test_enum_values_are_named_in_both_languages_and_unknown_ones_shown_as_they_are() -> None:
    french, english = i18n.Translator("fr"), i18n.Translator("en")
    assert label(french, "step_status", "open") == "En attente de décisions"
    assert label(english, "step_status", "open") == "Awaiting decisions"
    assert label(french, "role", "approver") == "Approbateur"
    assert label(french, "channel", "mastodon-fr") == "mastodon-fr"
    assert all(english.gettext(text) == text for kind in LABELS.values() for text in kind.values())


def test_two_areas_translating_one_string_differently_is_refused(tmp_path: Path) -> None:
    (tmp_path / "fr").mkdir()
    for area, text in (("a", "Enregistrer"), ("b", "Sauver")):
        (tmp_path / "fr" / f"{area}.po").write_text(f'msgid "Save"\nmsgstr "{text}"\n')
    with pytest.raises(ValueError, match="Save"):
        i18n.read_catalogs("fr", tmp_path)


def test_the_browsers_language_is_negotiated_with_its_weights() -> None:
    assert i18n.negotiate("fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert i18n.negotiate("de-DE,en;q=0.3,fr;q=0.7") == "fr"
    assert i18n.negotiate("en-GB") == "en"
    assert i18n.negotiate("de, es;q=0.5") is None
    assert i18n.negotiate("fr;q=0, en") == "en"
    assert i18n.negotiate("garbage;q=x") is None
    assert i18n.choose(None, "es", "fr") == "fr"
