"""The pure parts of the content and calendar pages: whose decision an item awaits, the word
diff between two versions, the days a week or a month shows and the weekly slots on them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ensemble_console.models.scheduler import (
    Approval,
    ContentItem,
    Policy,
    StepDeadline,
    duty_of,
)
from ensemble_console.web import agenda, textdiff

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def item() -> ContentItem:
    return ContentItem.model_validate(
        {
            "id": "c1",
            "kind": "post",
            "version": 2,
            "fields": {"channel": "mastodon", "body": "Hello"},
            "created_by": "maya",
            "updated_by": "maya",
            "updated_at": NOW,
            "status": "in_review",
        }
    )


def approval(decisions: list[dict[str, Any]] | None = None) -> Approval:
    return Approval.model_validate(
        {
            "id": "a1",
            "content_id": "c1",
            "policy": "standard",
            "status": "in_review",
            "version": 2,
            "requested_version": 2,
            "requested_by": "maya",
            "requested_at": NOW,
            "current_step": "legal",
            "steps": [
                {"name": "legal", "position": 0, "status": "open", "round": 1, "quorum": "all"}
            ],
            "decisions": decisions or [],
            "publishable": False,
            "publishable_reason": "in review",
        }
    )


POLICY = Policy.model_validate(
    {"name": "standard", "steps": [{"name": "legal", "teams": ["legal"], "people": ["lea"]}]}
)


def plan(due: datetime, backup: dict[str, Any] | None = None) -> list[StepDeadline]:
    return [
        StepDeadline.model_validate(
            {"step": "legal", "round": 1, "opened_at": NOW, "due_at": due, "backup": backup}
        )
    ]


def test_an_item_awaits_those_its_open_step_names_until_they_decide() -> None:
    later = plan(NOW + timedelta(hours=2))

    def duty(who: str, teams: tuple[str, ...] = (), a: Approval | None = None) -> Any:
        return duty_of(
            item(), a or approval(), POLICY, later, subject=who, teams=teams, roles=(), now=NOW
        )

    assert duty("lea") is not None
    assert duty("sam", ("legal",)).due_at == NOW + timedelta(hours=2)
    assert duty("sam", ("marketing",)) is None
    decided = approval(
        [
            {
                "step": "legal",
                "round": 1,
                "approver": "user:lea",
                "decision": "approve",
                "version": 2,
                "via": "api",
                "decided_at": NOW,
            }
        ]
    )
    assert duty("lea", a=decided) is None
    assert duty("sam", ("legal",), a=decided) is not None  # quorum all: the team's slot is open


def test_a_step_past_due_awaits_its_backup_too() -> None:
    backup = {"people": ["boss"]}
    early, overdue = (
        plan(NOW + timedelta(hours=1), backup),
        plan(NOW - timedelta(minutes=1), backup),
    )
    before = duty_of(item(), approval(), POLICY, early, subject="boss", teams=(), roles=(), now=NOW)
    assert before is None
    after = duty_of(
        item(), approval(), POLICY, overdue, subject="boss", teams=(), roles=(), now=NOW
    )
    assert after is not None
    assert after.as_backup


def test_the_word_diff_keeps_spaces_and_punctuation() -> None:
    shown = textdiff.pieces("We launch today, at noon", "We launch tomorrow, at noon")
    assert [(p.kind, p.text) for p in shown] == [
        ("same", "We launch "),
        ("removed", "today"),
        ("added", "tomorrow"),
        ("same", ", at noon"),
    ]
    changed = textdiff.compare({"title": "A", "body": "same"}, {"title": "B", "body": "same"})
    assert [c.field for c in changed] == ["title"]


def test_a_month_shows_whole_weeks_and_a_week_starts_on_monday() -> None:
    december = agenda.span("month", date(2026, 12, 15))
    assert (december.first, december.last) == (date(2026, 11, 30), date(2027, 1, 3))
    assert (december.previous(), december.next()) == (date(2026, 11, 1), date(2027, 1, 1))
    week = agenda.span("week", date(2026, 12, 6))
    assert (week.first, week.last) == (date(2026, 11, 30), date(2026, 12, 6))
    assert len(week.days()) == 7


def test_weekly_slots_land_on_their_days_in_the_persons_zone() -> None:
    week = agenda.span("week", date(2026, 12, 7))
    slots = [agenda.WeeklySlot("mastodon", "Europe/Paris", ("mon", "wed"), "09:00")]
    found = agenda.planned(slots, week, ZoneInfo("America/New_York"))
    assert [s.at.astimezone(ZoneInfo("America/New_York")).hour for s in found] == [3, 3]
    assert [s.at.date() for s in found] == [date(2026, 12, 7), date(2026, 12, 9)]
