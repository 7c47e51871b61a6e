"""Which endpoints get which events, and the exact body they receive."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from ensemble_notify.models.deliveries import Delivery, delivery_id
from ensemble_notify.models.endpoints import Endpoint
from ensemble_shared.events import Event


def webhook_payload(event: Event) -> str:
    """Standard Webhooks body shape: type, timestamp, data (with the envelope's ids in it)."""
    data = event.data.model_dump(mode="json")
    data.update(
        event_id=event.id,
        workspace=event.workspace,
        subject=event.subject,
        correlation_id=event.correlation_id,
    )
    return json.dumps(
        {"type": event.type, "timestamp": event.time.isoformat(), "data": data},
        separators=(",", ":"),
    )


def plan_deliveries(
    events: Sequence[Event], endpoints: Mapping[str, Sequence[Endpoint]]
) -> list[Delivery]:
    """One delivery per (event, endpoint of the event's workspace that wants its type)."""
    deliveries: list[Delivery] = []
    for event in events:
        for endpoint in endpoints.get(event.workspace, ()):
            if endpoint.wants(event.type):
                deliveries.append(
                    Delivery(
                        id=delivery_id(event.id, endpoint.id),
                        workspace=event.workspace,
                        endpoint_id=endpoint.id,
                        url=endpoint.url,
                        event_id=event.id,
                        event_type=event.type,
                        correlation_id=event.correlation_id,
                        payload=webhook_payload(event),
                    )
                )
    return deliveries
