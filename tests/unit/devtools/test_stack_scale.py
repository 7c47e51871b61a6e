"""`./dev up --scale`: replicas per service, and where each replica's process is named."""

from __future__ import annotations

import pytest

from ensemble_devtools.stack import parse_scale, replica_key


def test_scale_reads_comma_lists_and_repeated_options() -> None:
    assert parse_scale(["ingest=2,notify=3", "feedback=1"]) == {
        "ingest": 2,
        "notify": 3,
        "feedback": 1,
    }
    assert parse_scale([]) == {}


@pytest.mark.parametrize(
    ("value", "message"),
    [("billing=2", "unknown service"), ("ingest=0", "from 1 to"), ("ingest=x", "from 1 to")],
)
def test_bad_scales_are_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_scale([value])


def test_the_first_replica_keeps_the_service_name() -> None:
    assert [replica_key("notify", n) for n in (1, 2, 3)] == ["notify", "notify-2", "notify-3"]
