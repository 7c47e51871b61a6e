"""Filling answer templates: known placeholders only."""

from __future__ import annotations

from ensemble_scheduler.services.answers import answer_id, render


def test_known_placeholders_are_filled_and_other_braces_kept() -> None:
    text = render(
        "{author} merci ! « {title} » est {status}. {unknown} {reason}",
        {"author": "@ana", "title": "Dark mode", "status": "planifiée", "reason": ""},
    )
    assert text == "@ana merci ! « Dark mode » est planifiée. {unknown}"


def test_one_draft_id_per_event() -> None:
    assert answer_id("e1") == answer_id("e1") != answer_id("e2")
