"""How a delivery ends: its one outcome, and the notification.sent/failed event announcing it.

Both are written together (the event rides in the outcome's outbox entry), so every ended
delivery is announced exactly once, whichever path ended it: failed before sending, delivered
in bulk to the inbox, or finished by its last attempt.
"""

from __future__ import annotations

from ensemble_notify.models.deliveries import ChannelName, Delivery, DeliveryStatus, Outcome
from ensemble_shared.events import (
    DeliveryData,
    Event,
    NotificationFailedV1,
    NotificationSentV1,
    Source,
)

CHATS = frozenset({ChannelName.SLACK, ChannelName.TEAMS})


def ended(
    delivery: Delivery,
    status: DeliveryStatus,
    *,
    attempts: int,
    status_code: int | None = None,
    reason: str | None = None,
) -> tuple[Outcome, Event]:
    """The delivery's outcome and its announcement."""
    outcome = Outcome(
        id=delivery.id,
        workspace=delivery.workspace,
        status=status,
        attempts=attempts,
        status_code=status_code,
        reason=reason,
        replay=delivery.replay,
    )
    return outcome, announcement(delivery, outcome)


def announcement(delivery: Delivery, outcome: Outcome) -> Event:
    """notification.sent or notification.failed, caused by the event delivered (whose
    correlation id it keeps: the delivery may end long after, in another process).

    Its envelope is written out rather than made by `envelope()`: the cause is known by the ids
    its delivery kept, not as an event, and this runs once per delivery on the fan-out path,
    where `envelope()` would mint a correlation id (a uuid4) only for it to be replaced.
    """
    chat = delivery.channel in CHATS
    data = DeliveryData(
        delivery_id=delivery.id,
        channel="chat" if chat else delivery.channel.value,
        chat=delivery.channel.value if chat else None,
        recipient=delivery.recipient,
        source_event_id=delivery.event_id,
        source_event_type=delivery.event_type,
        attempts=outcome.attempts,
        status_code=outcome.status_code,
        reason=outcome.reason,
        replay_of=delivery.replay_of,
    )
    fields = {
        "source": Source.NOTIFY,
        "subject": delivery.id,
        "workspace": delivery.workspace,
        "correlation_id": delivery.correlation_id,
        "causation_id": delivery.event_id,
    }
    if outcome.status is DeliveryStatus.DELIVERED:
        return NotificationSentV1(**fields, data=data)
    return NotificationFailedV1(**fields, data=data)
