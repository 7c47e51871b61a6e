"""The webhook connectors, one per platform, keyed by the `platform` of the source's config."""

from __future__ import annotations

from ensemble_ingest.connectors.base import WebhookConnector
from ensemble_ingest.connectors.webhooks.generic import GenericConnector
from ensemble_ingest.connectors.webhooks.github import GitHubConnector
from ensemble_ingest.connectors.webhooks.meta import MetaConnector
from ensemble_ingest.connectors.webhooks.slack import SlackConnector
from ensemble_ingest.connectors.webhooks.x import XConnector
from ensemble_ingest.connectors.webhooks.youtube import YouTubeConnector

# Stateless instances: sharing them between requests is safe.
WEBHOOK_CONNECTORS: dict[str, WebhookConnector] = {
    connector.platform: connector
    for connector in (
        GenericConnector(),
        MetaConnector(),
        XConnector(),
        SlackConnector(),
        GitHubConnector(),
        YouTubeConnector(),
    )
}

__all__ = [
    "WEBHOOK_CONNECTORS",
    "GenericConnector",
    "GitHubConnector",
    "MetaConnector",
    "SlackConnector",
    "XConnector",
    "YouTubeConnector",
]
