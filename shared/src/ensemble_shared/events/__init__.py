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
from ensemble_shared.events.mentions import (
    Author,
    MentionAssignedData,
    MentionAssignedV1,
    MentionData,
    MentionDeletedData,
    MentionDeletedV1,
    MentionNoteAddedData,
    MentionNoteAddedV1,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionStatusChangedData,
    MentionStatusChangedV1,
    MentionTriagedData,
    MentionTriagedV1,
    MentionUpdatedV1,
    SpikeData,
    TriageData,
)
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
    "MentionAssignedData",
    "MentionAssignedV1",
    "MentionData",
    "MentionDeletedData",
    "MentionDeletedV1",
    "MentionNoteAddedData",
    "MentionNoteAddedV1",
    "MentionReceivedV1",
    "MentionSpikeDetectedV1",
    "MentionStatusChangedData",
    "MentionStatusChangedV1",
    "MentionTriagedData",
    "MentionTriagedV1",
    "MentionUpdatedV1",
    "NotificationFailedV1",
    "NotificationSentV1",
    "Payload",
    "SpikeData",
    "StepDecisionData",
    "SubmissionCreatedV1",
    "SubmissionData",
    "TriageData",
    "UnknownEventType",
    "new_id",
    "parse_event",
    "utcnow",
]
