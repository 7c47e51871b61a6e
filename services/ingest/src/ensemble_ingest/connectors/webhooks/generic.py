"""Our own Standard Webhooks receiver: `mention.created` and `mention.deleted` from any system."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from standardwebhooks.webhooks import EmptyWebhookSecretError

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionDeleted,
    MentionUpsert,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks._common import NO_HANDSHAKE, Doc, describe
from ensemble_ingest.models.mentions import GenericWebhook, PlatformName
from ensemble_ingest.models.sources import GenericConfig
from ensemble_shared.signatures import SignatureError, verify

TOLERANCE_SECONDS = 5 * 60  # Standard Webhooks' recommended window


class DeletedRef(BaseModel):
    """Which mention the sender deleted: its natural key."""

    model_config = ConfigDict(extra="ignore")

    platform: str = PlatformName
    external_id: str = Field(min_length=1, max_length=256)


class GenericDeletion(BaseModel):
    """Body of a `mention.deleted` delivery; kept here so the shared GenericWebhook stays as is."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["mention.deleted"]
    timestamp: datetime
    data: DeletedRef


class GenericConnector:
    """Any system that signs its POSTs per Standard Webhooks with the source's `whsec_` secret."""

    platform: ClassVar[str] = "generic"

    def handshake(self, config: GenericConfig, query: Mapping[str, str]) -> Reply:
        return NO_HANDSHAKE

    def verify(
        self, config: GenericConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """Check the window against `now` ourselves (the library reads the wall clock), then
        the signature with any of the source's secrets (several during a rotation)."""
        stamp = headers.get("webhook-timestamp")
        if stamp is not None:
            try:
                sent = int(stamp)
            except ValueError:
                raise SignatureRefused("malformed webhook-timestamp header") from None
            if abs(now.timestamp() - sent) > TOLERANCE_SECONDS:
                raise SignatureRefused("webhook-timestamp is more than 5 minutes from now")
        try:
            verify([s for s in config.secrets if s], headers, body)
        except (SignatureError, EmptyWebhookSecretError) as exc:
            raise SignatureRefused(str(exc) or "invalid signature") from None

    def parse(self, config: GenericConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        doc = Doc.parse(body)
        kind = doc.text("type")
        try:
            if kind == "mention.created":
                webhook = GenericWebhook.model_validate(doc.data)
                return Parsed(changes=[MentionUpsert(mention=webhook.data)])
            if kind == "mention.deleted":
                deletion = GenericDeletion.model_validate(doc.data)
                ref = deletion.data
                return Parsed(
                    changes=[MentionDeleted(platform=ref.platform, external_id=ref.external_id)]
                )
        except ValidationError as exc:
            raise MalformedPayload(describe(exc)) from None
        return Parsed()  # a type this receiver does not know yet: accepted, nothing to apply
