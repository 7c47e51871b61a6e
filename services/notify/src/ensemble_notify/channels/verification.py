"""The verification message of a new address: sent to that address alone, through the same
senders as notifications (SMTP for email, the chat webhook itself for Slack and Teams).

It is the only thing an unproven address ever receives. It carries the confirmation link and
no other capability, is sent at once (not queued: the person waits for it, and setting the
address again sends a fresh one), and is marked as what it is: email with
`X-Ensemble-Event-Type: address.verification`, chat posts with `x-ensemble-purpose:
address-verification`, so a mail rule (or a test's mailbox) can tell it apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from ensemble_notify.channels.chat import PERMANENT, slack_escape
from ensemble_notify.channels.email import EmailChannel, EmailPayload
from ensemble_notify.channels.templates import RenderedMessage, Templates
from ensemble_notify.channels.webhook import post_json
from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.inbox import Link
from ensemble_notify.models.people import AddressChannel, Language, PendingAddress

KIND = "address.verification"
PURPOSE_HEADER = "x-ensemble-purpose"
CHANNEL_NAMES: dict[Language, dict[AddressChannel, str]] = {
    "en": {"email": "email", "slack": "Slack", "teams": "Microsoft Teams"},
    "fr": {"email": "e-mail", "slack": "Slack", "teams": "Microsoft Teams"},
}
CONFIRM: dict[Language, str] = {"en": "Confirm this address", "fr": "Confirmer cette adresse"}


@dataclass(frozen=True)
class Verification:
    """One verification message to send."""

    workspace: str
    person: str
    name: str | None
    language: Language
    pending: PendingAddress
    url: str  # the confirmation page


def context(v: Verification) -> dict[str, Any]:
    confirm = Link(action="confirm", label=CONFIRM[v.language], url=v.url, style="primary")
    return {
        "name": v.name,
        "event": {"workspace": v.workspace},
        "channel_name": CHANNEL_NAMES[v.language][v.pending.channel],
        "confirm_url": v.url,
        "expires": _minute(v.pending.expires_at),
        "actions": [confirm],
        "unsubscribe_url": None,
        "unsubscribe_page": None,
        "preferences_page": None,
    }


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def slack_body(message: RenderedMessage, v: Verification) -> dict[str, Any]:
    return {
        "text": message.subject,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(message.text)}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "confirm",
                        "style": "primary",
                        "text": {"type": "plain_text", "text": CONFIRM[v.language]},
                        "url": v.url,
                    }
                ],
            },
        ],
    }


def teams_body(message: RenderedMessage, v: Verification) -> dict[str, Any]:
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "lang": v.language,
        "body": [
            {"type": "TextBlock", "text": message.subject, "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": message.text, "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": CONFIRM[v.language], "url": v.url}],
    }
    return {
        "type": "message",
        "summary": message.subject,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ],
    }


class VerificationMessages:
    """Renders and sends verification messages; the answer says whether the address took it."""

    def __init__(self, email: EmailChannel, http: httpx.AsyncClient, templates: Templates) -> None:
        self._email = email
        self._http = http
        self._templates = templates

    async def send(self, v: Verification) -> AttemptResult:
        message = self._templates.render_named(
            KIND, v.language, context(v), html=v.pending.channel == "email"
        )
        if v.pending.channel == "email":
            return await self._email.send(self._email_delivery(message, v), ())
        build = slack_body if v.pending.channel == "slack" else teams_body
        body = json.dumps(build(message, v), separators=(",", ":"), ensure_ascii=False)
        return await post_json(
            self._http,
            v.pending.address,
            body.encode(),
            {"idempotency-key": v.pending.verification, PURPOSE_HEADER: "address-verification"},
            permanent_statuses=PERMANENT,
        )

    def _email_delivery(self, message: RenderedMessage, v: Verification) -> Delivery:
        assert message.html is not None
        payload = EmailPayload(
            to=v.pending.address,
            subject=message.subject,
            text=message.text,
            html=message.html,
            language=v.language,
        )
        return Delivery(
            id=v.pending.verification,
            workspace=v.workspace,
            channel=ChannelName.EMAIL,
            recipient_kind="person",
            recipient=v.person,
            address=v.pending.address,
            event_id=v.pending.verification,
            event_type=KIND,
            correlation_id=v.pending.verification,
            payload=payload.model_dump_json(),
        )
