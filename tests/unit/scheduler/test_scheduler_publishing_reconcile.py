"""Deciding what an unknown publication outcome becomes, and recognising our own status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ensemble_scheduler.connectors.mastodon import carries_marker, plain
from ensemble_scheduler.models.publishing import Absent, Found, PublicationRequest, Unreachable
from ensemble_scheduler.services.publishing import (
    publication_key,
    recheck_delay,
    reconcile_decision,
)

SETTLE = timedelta(minutes=2)
SINCE = datetime(2026, 5, 4, 7, 30, tzinfo=UTC)


def test_a_found_post_is_recorded_whatever_its_age() -> None:
    assert reconcile_decision(Found("1"), age=timedelta(0), settle_after=SETTLE) == "found"


def test_absent_too_soon_waits_since_the_request_may_still_be_in_flight() -> None:
    assert reconcile_decision(Absent(), age=timedelta(seconds=5), settle_after=SETTLE) == "wait"


def test_absent_once_settled_lets_a_new_attempt_post() -> None:
    assert reconcile_decision(Absent(), age=timedelta(minutes=3), settle_after=SETTLE) == "absent"


def test_an_unknown_outcome_is_looked_at_again_later_and_later_for_a_week() -> None:
    assert recheck_delay(timedelta(seconds=1)) == timedelta(seconds=5)
    assert recheck_delay(timedelta(seconds=40)) == timedelta(seconds=40)
    assert recheck_delay(timedelta(days=2)) == timedelta(hours=1)
    assert recheck_delay(timedelta(days=8)) is None


def test_an_unreachable_platform_never_leads_to_posting_again() -> None:
    lookup = Unreachable("timeout")
    assert reconcile_decision(lookup, age=timedelta(days=1), settle_after=SETTLE) == "wait"


def test_the_idempotency_key_is_stable_per_approved_version() -> None:
    assert publication_key("c1", 2) == publication_key("c1", 2)
    assert publication_key("c1", 2) != publication_key("c1", 3)


def _status(**overrides: object) -> dict[str, object]:
    status: dict[str, object] = {
        "id": "9",
        "created_at": "2026-05-04T07:30:01.000Z",
        "in_reply_to_id": "42",
        "content": "<p>Merci &amp; bravo<br />See https://ex.test/a</p>",
    }
    status.update(overrides)
    return status


REQUEST = PublicationRequest(text="Merci & bravo\nSee https://ex.test/a", in_reply_to="42")


def test_our_status_is_recognised_by_text_reply_target_and_time() -> None:
    assert carries_marker(_status(), REQUEST, SINCE)


def test_another_reply_target_older_status_or_other_text_is_not_ours() -> None:
    assert not carries_marker(_status(in_reply_to_id="43"), REQUEST, SINCE)
    assert not carries_marker(_status(created_at="2026-05-04T07:00:00Z"), REQUEST, SINCE)
    assert not carries_marker(_status(content="<p>Merci</p>"), REQUEST, SINCE)


def test_plain_ignores_markup_and_mastodons_link_rewriting() -> None:
    mastodon = (
        '<p>Go <a href="https://ex.test/long/path"><span class="invisible">https://</span>'
        '<span class="ellipsis">ex.test/long</span><span class="invisible">/path</span></a>'
        "</p><p>Next</p>"
    )
    assert plain(mastodon) == plain("Go https://ex.test/long/path\n\nNext")
    assert plain("<p>a&lt;b</p>") == plain("a<b")
    assert plain("<p>a</p>") != plain("b")
