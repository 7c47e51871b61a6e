"""One envelope factory: source, subject, workspace and the correlation chain."""

from __future__ import annotations

from ensemble_shared.events import Source, envelope
from ensemble_shared.events.mentions import MentionStatusChangedData, MentionStatusChangedV1
from ensemble_shared.logs import correlation_id


def _event(**fields: object) -> MentionStatusChangedV1:
    data = MentionStatusChangedData(mention_id="m-1", status="closed", previous="new", by="alice")
    return MentionStatusChangedV1(data=data, **fields)


def test_the_request_correlation_id_is_carried_when_there_is_one() -> None:
    token = correlation_id.set("req-42")
    try:
        fields = envelope(Source.INGEST, "acme", "m-1")
    finally:
        correlation_id.reset(token)
    assert fields == {
        "source": "ensemble/ingest",
        "subject": "m-1",
        "workspace": "acme",
        "correlation_id": "req-42",
    }
    assert envelope(Source.INGEST, "acme", "m-1")["correlation_id"] != "req-42"


def test_an_event_caused_by_another_continues_its_chain() -> None:
    cause = _event(**envelope(Source.INGEST, "acme", "m-1"))
    effect = _event(**envelope(Source.SCHEDULER, "acme", "c-9", cause=cause))
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    assert effect.source == "ensemble/scheduler"
