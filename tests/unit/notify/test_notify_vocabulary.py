"""Every value an event carries that a template shows has its English and French words."""

from __future__ import annotations

from typing import get_args

from ensemble_notify.models.vocabulary import RSVP_STATUS, SUBMISSION_STATUS, word
from ensemble_shared.events.field_events import RsvpData
from ensemble_shared.events.submissions import SubmissionStatusChangedData


def literal_values(model: type, name: str) -> set[str]:
    return set(get_args(model.model_fields[name].annotation))  # type: ignore[attr-defined]


def test_every_submission_and_rsvp_status_has_both_words() -> None:
    assert literal_values(SubmissionStatusChangedData, "status") == set(SUBMISSION_STATUS)
    assert literal_values(RsvpData, "status") == set(RSVP_STATUS)
    for words in (*SUBMISSION_STATUS.values(), *RSVP_STATUS.values()):
        assert all(words)


def test_a_status_reads_in_the_persons_language_and_unknown_words_as_written() -> None:
    assert word("submission_status", "planned", "fr") == "prévue"
    assert word("submission_status", "in_progress", "en") == "in progress"
    assert word("step", "legal_review", "fr") == "legal review"  # the workspace's own name
