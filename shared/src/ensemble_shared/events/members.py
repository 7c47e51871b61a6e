"""Events of the members stream, produced by feedback (key: member id)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.disclosure import CAPABILITY
from ensemble_shared.events.envelope import Event, Payload

Language = Literal["en", "fr"]


class MemberData(Payload):
    """What notify needs to reach a member: address, language, and topic consents."""

    member_id: str
    display_name: str
    email: str | None = None
    language: Language = "en"
    consents: tuple[str, ...] = Field(
        default=(), description="Topics the member agreed to hear about (ideas_followed, ...)."
    )
    email_verified: bool = Field(
        default=False, description="The member proved the address through a verification link."
    )
    unsubscribe_paths: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Per topic, the signed one-click unsubscribe path (`/unsubscribe?token=...`) to join "
            "to feedback's public URL in messages on that topic (List-Unsubscribe)."
        ),
        json_schema_extra=CAPABILITY,
    )
    verify_email_path: str | None = Field(
        default=None,
        description=(
            "Set when the address is new and unverified: the signed verification path to send "
            "to it (joined to feedback's public URL; valid 7 days)."
        ),
        json_schema_extra=CAPABILITY,
    )


class MemberRegisteredV1(Event):
    """Sent by feedback when a community member signs up."""

    type: Literal["member.registered.v1"] = "member.registered.v1"
    data: MemberData


class MemberUpdatedV1(Event):
    """Sent by feedback when a member's profile, address or consents change."""

    type: Literal["member.updated.v1"] = "member.updated.v1"
    data: MemberData


class MemberMergeData(Payload):
    merge_id: str
    survivor_member_id: str = Field(description="The member that stays.")
    merged_member_id: str = Field(description="The member folded into the survivor.")
    by: str


class MemberMergedV1(Event):
    """Sent by feedback when a manager confirms two member identities are one person."""

    type: Literal["member.merged.v1"] = "member.merged.v1"
    data: MemberMergeData


class MemberUnmergedV1(Event):
    """Sent by feedback when a merge is undone; both members stand apart again."""

    type: Literal["member.unmerged.v1"] = "member.unmerged.v1"
    data: MemberMergeData


class MemberErasureData(Payload):
    """Who was erased; nothing else about them (the event outlives the data it announces)."""

    member_id: str = Field(description="The member whose personal data feedback erased.")
    erased_member_ids: tuple[str, ...] = Field(
        default=(), description="Every id of that person erased with it (members merged in)."
    )


class MemberErasedV1(Event):
    """Sent by feedback when a member erases their data (GDPR): every service drops what it
    keeps about them as a person; contributions stay, anonymised, and counts stay counts."""

    type: Literal["member.erased.v1"] = "member.erased.v1"
    data: MemberErasureData


class EngagementWeightsData(Payload):
    """A workspace's points per activity kind, whole (every kind, defaults included)."""

    weights: dict[str, float] = Field(
        description="Points per activity kind (submission, comment, vote, attendance, rsvp, "
        "mention, suggestion); read with `EngagementWeights.announced`."
    )
    by: str = Field(description="The staff person who set them.")


class EngagementWeightsChangedV1(Event):
    """Sent by feedback when an admin changes the workspace's engagement weights (key: the
    workspace); until the first one, the default weights apply."""

    type: Literal["member.engagement_weights_changed.v1"] = "member.engagement_weights_changed.v1"
    data: EngagementWeightsData
