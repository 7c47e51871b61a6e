"""@mentions in comments, and field diffs between versions."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_scheduler.models.content import ContentFields, ContentVersion
from ensemble_scheduler.services.content import parse_mentions
from ensemble_scheduler.services.diffs import diff


def test_people_and_teams_are_found_once_each() -> None:
    text = "@lea please check, cc @team:legal and @team:comms. Thanks @lea! mail a@b.com"
    assert parse_mentions(text) == (("lea",), ("legal", "comms"))


def test_trailing_punctuation_is_not_part_of_a_name() -> None:
    assert parse_mentions("ping @maya.") == (("maya",), ())
    assert parse_mentions("no mention here") == ((), ())


def version(n: int, **fields: object) -> ContentVersion:
    return ContentVersion(
        content_id="c1",
        workspace="acme",
        kind="post",
        version=n,
        fields=ContentFields.model_validate(
            {"channel": "x", "body": "Line one\nLine two", **fields}
        ),
        author="maya",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def test_diff_lists_changed_fields_and_a_unified_text() -> None:
    result = diff(version(1), version(2, body="Line one\nLine 2", tags=["promo"]))
    assert [c.field for c in result.changed] == ["body", "tags"]
    assert "-  Line two" in result.unified
    assert "+  Line 2" in result.unified
    assert result.unified.startswith("--- version 1\n+++ version 2\n")
    assert diff(version(1), version(3)).changed == []
