"""The event envelope, its registry and the topic catalogue."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from pydantic import TypeAdapter

from ensemble_shared.events import (
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    Event,
    MentionReceivedV1,
    Payload,
    UnknownEventType,
    parse_event,
)
from ensemble_shared.topics import APPROVALS, MENTIONS, STREAMS, Topics, stream_of
from support.mentions import a_mention


def test_an_event_round_trips_through_its_serialized_form() -> None:
    event = a_mention()
    parsed = parse_event(event.model_dump_json().encode())
    assert isinstance(parsed, MentionReceivedV1)
    assert parsed == event


def test_every_event_has_id_time_source_workspace_and_correlation() -> None:
    document = json.loads(a_mention().model_dump_json())
    for field in ("id", "type", "source", "time", "subject", "workspace", "correlation_id", "data"):
        assert document[field], field
    assert document["type"] == "mention.received.v1"


def test_fields_a_newer_producer_adds_are_ignored() -> None:
    document = json.loads(a_mention().model_dump_json())
    document["added_later"] = 1
    document["data"]["sentiment"] = "positive"
    assert parse_event(json.dumps(document)).id == document["id"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"id": "x"}', "no string 'type'"),
        (b'{"type": "mention.received.v1", "id": "x"}', "validation error"),
    ],
)
def test_malformed_events_are_refused_with_the_reason(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_event(raw)


def test_an_unknown_type_is_told_apart() -> None:
    with pytest.raises(UnknownEventType, match=r"mention\.exploded\.v9"):
        parse_event(b'{"type": "mention.exploded.v9"}')


def test_a_type_defined_twice_is_refused() -> None:
    with pytest.raises(TypeError, match="defined twice"):

        class Impostor(Event):
            type: Literal["mention.received.v1"] = "mention.received.v1"
            data: Payload


def test_every_event_type_belongs_to_exactly_one_stream() -> None:
    types = [e.model_fields["type"].default for s in STREAMS for e in s.events]
    assert len(types) == len(set(types))
    assert stream_of(a_mention()) is MENTIONS


def test_a_stream_union_parses_to_the_right_class() -> None:
    adapter: TypeAdapter[Event] = TypeAdapter(APPROVALS.payload_type)
    document = {
        "type": "approval.step_decided.v1",
        "source": "ensemble/scheduler",
        "subject": "c-1",
        "workspace": "acme",
        "data": {
            "approval_id": "a",
            "content_id": "c-1",
            "step": "legal",
            "decision": "approve",
            "decided_by": "lea",
        },
    }
    assert isinstance(adapter.validate_python(document), ApprovalStepDecidedV1)
    assert ApprovalRequestedV1 in APPROVALS.events


def test_topic_names_follow_the_prefix_and_each_stream_has_dead_letters() -> None:
    topics = Topics("t1.")
    assert topics.topic(MENTIONS) == "t1.mentions"
    assert topics.dead_letter(MENTIONS) == "t1.mentions.dlt"
    names = dict(topics.all_topics())
    assert names["t1.mentions"] == MENTIONS.partitions
    assert len(names) == 2 * len(STREAMS)


def test_caused_events_keep_the_correlation_and_point_to_their_cause() -> None:
    cause = a_mention()
    assert cause.caused() == {
        "workspace": "acme",
        "correlation_id": cause.correlation_id,
        "causation_id": cause.id,
    }
