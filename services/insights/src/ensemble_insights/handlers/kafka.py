"""Insights' subscribers: every stream, in the generation's own consumer groups.

The group of a stream is `<prefix>insights.g<generation>.<stream>`: one group per stream, so
a replica joining or leaving rebalances each stream on its own; a rebuild starts a new
generation, whose new groups have no committed offsets and so read every stream from its
earliest offset.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream.kafka import KafkaBroker

from ensemble_shared.events import Event
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.topics import INSIGHTS, STREAMS, Topics

Accept = Callable[[Sequence[Event]], Awaitable[None]]
CONSUMED = tuple(stream for stream in STREAMS if stream is not INSIGHTS)


def group_of(topics: Topics, generation: int) -> str:
    """The groups' common prefix; each stream's group adds `.<stream>`."""
    return f"{topics.prefix}insights.g{generation}"


def register(
    broker: KafkaBroker,
    topics: Topics,
    *,
    generation: int,
    accept: Accept,
    retry: RetryPolicy,
    max_records: int,
) -> list[Any]:
    """Subscribe `accept` to every stream; returns the subscribers (to stop them later)."""
    before = list(broker.subscribers)
    for stream in CONSUMED:
        subscribe_reliably(
            broker,
            topics=topics,
            stream=stream,
            group=f"{group_of(topics, generation)}.{stream.name}",
            handler=accept,
            retry=retry,
            max_records=max_records,
            description=f"Every {stream.name} event, staged as facts for the projection.",
        )
    return [s for s in broker.subscribers if s not in before]
