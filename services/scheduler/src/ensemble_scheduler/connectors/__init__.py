"""Outbound connectors: how an approved item goes out on a platform, and how an unknown
outcome is settled by asking the platform (never by posting again blindly)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    Lookup,
    PublicationRequest,
    PublishOutcome,
)


class Connector(Protocol):
    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        """Send once. Posted with the platform's id, Refused for good, or Unknown."""
        ...

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        """Whether the platform holds the post `request` may have created since `since`."""
        ...
