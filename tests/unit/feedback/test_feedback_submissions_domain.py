"""The board's rules without I/O: status machine, similarity, audiences, vote chains."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from ensemble_feedback.models.field_events import submission_tag
from ensemble_feedback.models.submissions import (
    STATUSES,
    TRANSITIONS,
    SubmissionCreate,
    check_transition,
)
from ensemble_feedback.models.votes import Tally
from ensemble_feedback.services.following import build_audience
from ensemble_feedback.services.similarity import normalize, rank
from ensemble_shared.errors import Conflict, Invalid

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 25, tzinfo=UTC)


# --- status machine ---


def test_the_roadmap_moves_forward_step_by_step() -> None:
    path = ["open", "under_review", "planned", "in_progress", "done"]
    for previous, status in itertools.pairwise(path):
        check_transition(previous, status, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("previous", "status"),
    [
        ("open", "planned"),
        ("open", "done"),
        ("done", "open"),
        ("declined", "done"),
        ("open", "open"),
    ],
)
def test_skipping_or_leaving_done_is_refused(previous: str, status: str) -> None:
    with pytest.raises(Invalid):
        check_transition(previous, status, "why")  # type: ignore[arg-type]


def test_a_decline_needs_a_reason() -> None:
    with pytest.raises(Invalid, match="reason"):
        check_transition("open", "declined", "  ")
    check_transition("planned", "declined", "out of scope this year")


def test_every_status_but_done_can_be_left() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert [s for s in STATUSES if not TRANSITIONS[s]] == ["done"]


# --- requests ---


def test_a_member_cannot_set_status_votes_or_publication() -> None:
    for extra in (
        {"status": "done"},
        {"votes": 999},
        {"published": True},
        {"author_member_id": "x"},
    ):
        with pytest.raises(ValidationError):
            SubmissionCreate.model_validate({"kind": "idea", "title": "Dark mode", **extra})


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example/x", "file:///etc/passwd"]
)
def test_attachments_are_web_links_only(url: str) -> None:
    with pytest.raises(ValidationError):
        SubmissionCreate.model_validate(
            {"kind": "idea", "title": "Dark mode", "attachments": [{"url": url}]}
        )


def test_ideas_from_a_field_event_carry_its_tag() -> None:
    tag = submission_tag("0b6f8a1e-5f7c-4d7e-9a51-3c1e2f0d9b44")
    created = SubmissionCreate.model_validate({"kind": "idea", "title": "More", "tags": [tag]})
    assert created.tags == [tag]


# --- similarity ---

CORPUS = {
    "dark": ("Add a dark mode", normalize("Add a dark mode"), normalize("Night theme for the app")),
    "sombre": (
        "Mode sombre pour l'application",
        normalize("Mode sombre pour l'application"),
        normalize("Un thème sombre le soir"),
    ),
    "delivery": ("Faster delivery", normalize("Faster delivery"), normalize("Ship in two days")),
    "short": ("Dark", normalize("Dark"), ""),
}


def test_a_rephrased_title_is_found_first() -> None:
    found = rank(CORPUS, "dark mode in the app please", limit=5)
    assert found
    assert found[0].submission_id == "dark"
    assert "delivery" not in {s.submission_id for s in found}


def test_french_stop_words_do_not_make_everything_similar() -> None:
    found = rank(CORPUS, "mode sombre", limit=5)
    assert found[0].submission_id == "sombre"
    assert "delivery" not in {s.submission_id for s in found}


def test_a_one_word_title_does_not_match_every_query_at_100() -> None:
    found = {
        s.submission_id: s.score for s in rank(CORPUS, "dark mode for the mobile app", limit=5)
    }
    assert found.get("short", 0) < found["dark"]


def test_too_short_queries_suggest_nothing() -> None:
    assert rank(CORPUS, "a", limit=5) == []


# --- audience ---


def test_audience_counts_each_merged_member_once_and_respects_unfollow() -> None:
    canon = {"b": "a", "a": "a"}
    audience = build_audience(
        author="author",
        voters=["a", "b", "quitter"],
        choices={"fan": True, "quitter": False, "author": True},
        canon=canon,
        exclude=["commenter"],
    )
    assert audience == ["a", "author", "fan"]


def test_audience_leaves_out_whoever_acted() -> None:
    audience = build_audience(author="x", voters=["y"], choices={}, canon={}, exclude=["y"])
    assert audience == ["x"]


# --- vote chains ---


def test_a_vote_counts_once_and_a_repeat_is_a_no_op() -> None:
    tally = Tally("s")
    assert [e.count for e in tally.plan_vote("m1", {}, AT)] == [1]
    assert tally.plan_vote("m1", {}, AT) == []
    assert [e.count for e in tally.plan_vote("m2", {}, AT)] == [2]
    assert [e.count for e in tally.plan_retract("m1", {}, AT)] == [1]
    assert tally.plan_retract("m1", {}, AT) == []
    assert (tally.seq, tally.count) == (3, 1)


def test_an_entry_folded_twice_counts_once_and_a_gap_is_refused() -> None:
    """A reader catching up and the writer that wrote an entry may both fold it in."""
    planned = Tally("s")
    first, second = planned.plan_vote("m1", {}, AT)[0], planned.plan_vote("m2", {}, AT)[0]
    held = Tally("s")
    for entry in (first, second, second, first):
        held.apply(entry)
    assert (held.seq, held.count, list(held.active)) == (2, 2, ["m1", "m2"])
    with pytest.raises(ValueError, match="gap"):
        Tally("s").apply(second)


def test_merged_identities_vote_once_including_votes_cast_before_the_merge() -> None:
    tally = Tally("s")
    tally.plan_vote("a", {}, AT)
    tally.plan_vote("b", {}, AT)  # before the merge: two people
    assert tally.count == 2
    merged = {"a": "a", "b": "a"}
    [recount] = tally.plan_recount(merged, AT)
    assert recount.count == 1
    assert tally.plan_vote("a", merged, AT) == []  # a votes already (through b)
    assert tally.plan_recount(merged, AT) == []  # nothing to correct twice
    [back] = tally.plan_recount({}, AT)  # unmerged: two people again
    assert back.count == 2


def test_retracting_as_a_merged_member_takes_back_every_identity_vote() -> None:
    tally = Tally("s")
    tally.plan_vote("a", {}, AT)
    tally.plan_vote("b", {}, AT)
    tally.plan_vote("c", {}, AT)
    merged = {"b": "a"}
    entries = tally.plan_retract("b", merged, AT)
    assert [(e.member_id, e.action) for e in entries] == [("a", "retracted"), ("b", "retracted")]
    assert entries[-1].count == 1
    assert list(tally.active) == ["c"]


def test_a_closed_chain_refuses_votes_but_a_repeat_close_is_a_no_op() -> None:
    tally = Tally("s")
    tally.plan_vote("a", {}, AT)
    [closed] = tally.plan_close("t", {}, AT)
    assert closed.action == "closed"
    assert closed.count == 1
    assert tally.plan_close("t", {}, AT) == []
    with pytest.raises(Conflict):
        tally.plan_vote("b", {}, AT)
    with pytest.raises(Conflict):
        tally.plan_close("elsewhere", {}, AT)


def test_replaying_a_chain_gives_the_same_tally_and_gaps_are_refused() -> None:
    planner = Tally("s")
    entries = [
        *planner.plan_vote("a", {}, AT),
        *planner.plan_vote("b", {}, AT),
        *planner.plan_retract("a", {}, AT),
    ]
    replayed = Tally("s")
    for entry in entries:
        replayed.apply(entry)
    assert (replayed.seq, replayed.count, list(replayed.active)) == (3, 1, ["b"])
    with pytest.raises(ValueError, match="gap"):
        Tally("s").apply(entries[1])


def test_carrying_voters_into_a_target_never_double_counts() -> None:
    target = Tally("t")
    target.plan_vote("x", {}, AT)
    target.plan_vote("a", {}, AT)
    canon = {"b": "a"}  # b is a merged identity of a, who votes on the target already
    carried = [e for v in ["a", "b", "y"] for e in target.plan_vote(v, canon, AT, "s")]
    assert [e.member_id for e in carried] == ["y"]
    assert target.count == 3
