"""What a triaged mention suggests: nothing, a new submission, or a vote on a close one."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_feedback.models.submissions import Similar
from ensemble_feedback.models.suggestions import suggestion_id
from ensemble_feedback.services.suggestions import VOTE_THRESHOLD, closest, suggest, title_of
from ensemble_shared.events import (
    Author,
    MentionData,
    MentionTriagedData,
    MentionTriagedV1,
    TriageData,
)

AT = datetime(2030, 1, 1, tzinfo=UTC)


def triaged(kind: str | None, text: str = "Please add a dark mode to the app") -> MentionTriagedV1:
    return MentionTriagedV1(
        source="ensemble/ingest",
        subject="m-1",
        workspace="acme",
        data=MentionTriagedData(
            mention=MentionData(
                mention_id="m-1",
                platform="mastodon",
                external_id="109",
                url="https://social.example/@ann/109",
                author=Author(id="1", handle="ann@social.example"),
                text=text,
                created_at=AT,
            ),
            triage=TriageData(kind=kind),
        ),
    )


def test_a_mention_not_marked_for_the_board_suggests_nothing() -> None:
    assert suggest(triaged(None), [], None, AT) is None


def test_without_a_close_submission_a_request_suggests_a_new_idea() -> None:
    suggestion = suggest(
        triaged("request"), [Similar(submission_id="s1", title="Dark", score=70)], "mem-1", AT
    )
    assert suggestion is not None
    assert (suggestion.action, suggestion.kind, suggestion.submission_id) == (
        "new_submission",
        "idea",
        None,
    )
    assert suggestion.member_id == "mem-1"
    assert suggestion.origin.author_handle == "ann@social.example"
    assert suggestion.origin.url == "https://social.example/@ann/109"


def test_a_close_submission_turns_feedback_into_a_vote_on_the_closest() -> None:
    similar = [
        Similar(submission_id="s1", title="Dark theme", score=VOTE_THRESHOLD),
        Similar(submission_id="s2", title="Dark mode please", score=92.5),
    ]
    suggestion = suggest(triaged("feedback"), similar, None, AT)
    assert suggestion is not None
    assert (suggestion.action, suggestion.kind) == ("vote", "feedback")
    assert (suggestion.submission_id, suggestion.score) == ("s2", 92.5)


def test_the_threshold_is_inclusive() -> None:
    assert closest([Similar(submission_id="s", title="t", score=VOTE_THRESHOLD)]) is not None
    assert closest([Similar(submission_id="s", title="t", score=VOTE_THRESHOLD - 0.1)]) is None
    assert closest([]) is None


def test_the_suggestion_id_is_derived_from_the_mention_and_its_workspace() -> None:
    first = suggest(triaged("request"), [], None, AT)
    again = suggest(triaged("request"), [], None, datetime.now(UTC))
    assert first is not None
    assert again is not None
    assert first.id == again.id == suggestion_id("acme", "m-1")
    assert suggestion_id("other", "m-1") != first.id


def test_titles_drop_links_and_cut_on_a_word() -> None:
    assert title_of("Dark mode https://x.example/a please", "ann") == "Dark mode please"
    long = "word " * 60
    title = title_of(long, "ann")
    assert len(title) <= 120
    assert title.endswith("…")
    assert "wor…" not in title
    assert title_of("https://x.example", "ann") == "Suggestion from @ann"
