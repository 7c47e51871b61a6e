"""Every event type, defined once; import from here."""

from ensemble_shared.events.approvals import (
    ApprovalRequestData,
    ApprovalRequestedV1,
    ApprovalStepDecidedV1,
    StepDecisionData,
)
from ensemble_shared.events.content import ContentPublishedData, ContentPublishedV1
from ensemble_shared.events.envelope import (
    Event,
    Payload,
    UnknownEventType,
    new_id,
    parse_event,
    utcnow,
)
from ensemble_shared.events.mentions import Author, MentionData, MentionReceivedV1
from ensemble_shared.events.notifications import (
    DeliveryData,
    NotificationFailedV1,
    NotificationSentV1,
)
from ensemble_shared.events.submissions import SubmissionCreatedV1, SubmissionData

__all__ = [
    "ApprovalRequestData",
    "ApprovalRequestedV1",
    "ApprovalStepDecidedV1",
    "Author",
    "ContentPublishedData",
    "ContentPublishedV1",
    "DeliveryData",
    "Event",
    "MentionData",
    "MentionReceivedV1",
    "NotificationFailedV1",
    "NotificationSentV1",
    "Payload",
    "StepDecisionData",
    "SubmissionCreatedV1",
    "SubmissionData",
    "UnknownEventType",
    "new_id",
    "parse_event",
    "utcnow",
]
