"""Chat incoming webhooks: Slack-compatible Block Kit and Microsoft Teams Adaptive Cards.

Decision links become URL buttons: clicking opens the scheduler's signed link, so no chat app
(and no interactivity endpoint) is needed. Each message carries a plain `text` too, for
notifications and clients that do not show blocks or cards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from ensemble_notify.channels.templates import Templates
from ensemble_notify.channels.webhook import post_json
from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.vocabulary import word

# A payload the receiver refused as malformed, or a webhook that no longer exists: the same
# message would be refused again.
PERMANENT = frozenset({400, 403, 404, 410})
SLACK_TEXT_LIMIT = 3000
SLACK_HEADER_LIMIT = 150


def slack_escape(text: str) -> str:
    """Slack's mrkdwn control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def event_word(notification: Notification) -> str:
    """What happened, in the recipient's language (never the raw event type)."""
    return word("event", notification.event.type, notification.language)


def slack_message(subject: str, text: str, notification: Notification) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": subject[:SLACK_HEADER_LIMIT], "emoji": False},
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": slack_escape(text)[:SLACK_TEXT_LIMIT]},
        },
    ]
    buttons = []
    for link in notification.links:
        button: dict[str, Any] = {
            "type": "button",
            "action_id": link.action,
            "text": {"type": "plain_text", "text": link.label},
            "url": link.url,
        }
        if link.style in {"primary", "danger"}:
            button["style"] = link.style
        buttons.append(button)
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"ensemble:{notification.event.id}",
                "elements": buttons,
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(event_word(notification))}],
        }
    )
    return {"text": subject, "blocks": blocks}


def teams_message(subject: str, text: str, notification: Notification) -> dict[str, Any]:
    actions = [
        {
            "type": "Action.OpenUrl",
            "id": link.action,
            "title": link.label,
            "url": link.url,
            **(
                {"style": "positive" if link.style == "primary" else "destructive"}
                if link.style in {"primary", "danger"}
                else {}
            ),
        }
        for link in notification.links
    ]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": notification.language,
        "body": [
            {
                "type": "TextBlock",
                "text": subject,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
    }
    if actions:
        card["actions"] = actions
    return {
        "type": "message",
        "summary": subject,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class ChatChannel:
    """One class, two formats: the JSON differs, the HTTP contract does not."""

    def __init__(self, name: ChannelName, client: httpx.AsyncClient, templates: Templates) -> None:
        if name not in {ChannelName.SLACK, ChannelName.TEAMS}:
            raise ValueError(f"{name} is not a chat channel")
        self.name: ChannelName = name
        self._client = client
        self._templates = templates

    def render(self, notification: Notification) -> str:
        message = self._templates.render(notification, html=False)
        build = slack_message if self.name is ChannelName.SLACK else teams_message
        payload = build(message.subject, message.text.strip(), notification)
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        return await post_json(
            self._client,
            delivery.address,
            delivery.payload.encode(),
            {"idempotency-key": delivery.id},
            permanent_statuses=PERMANENT,
        )
