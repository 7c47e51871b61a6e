"""The sentiment tables ingest ships hold exactly what the packages they come from hold."""

from __future__ import annotations

from importlib import resources

import pytest

from support.ingest_lexicons import build

EXPECTED = build()  # from the installed vaderSentiment and textblob-fr (dev dependencies)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_shipped_table_is_what_its_source_package_holds(name: str) -> None:
    shipped = (resources.files("ensemble_ingest") / "data" / name).read_text("utf-8")
    assert shipped == EXPECTED[name], (
        "run `cd tests && ../.venv/bin/python -m support.ingest_lexicons`"
    )


def test_every_shipped_table_has_a_source_and_a_notice() -> None:
    data = resources.files("ensemble_ingest") / "data"
    shipped = {entry.name for entry in data.iterdir() if entry.name.endswith(".tsv")}
    assert shipped == set(EXPECTED)
    notice = (data / "NOTICE").read_text("utf-8")
    assert "C.J. Hutto" in notice
    assert "Steven Loria" in notice
