"""Jinja2 templates per language (package data): subject, plain text and HTML of a message.

Templates are looked up as `<lang>/<event type>.<part>` then `<lang>/default.<part>`. HTML is
autoescaped; undefined variables raise, so a template mistake fails its notification with a
reason instead of sending half a message. The sandbox is there for when workspaces bring
their own templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import PackageLoader, StrictUndefined, TemplateError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from ensemble_notify.channels.base import RenderError
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.people import LANGUAGES, Language
from ensemble_notify.models.vocabulary import word

LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "approve": "Approve",
        "reject": "Reject",
        "open": "Open",
        "confirm": "Confirm",
        "idea": "See the idea",
        "event": "See the event",
    },
    "fr": {
        "approve": "Approuver",
        "reject": "Refuser",
        "open": "Ouvrir",
        "confirm": "Confirmer",
        "idea": "Voir l’idée",
        "event": "Voir l’événement",
    },
}


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str | None


class Templates:
    def __init__(self, package: str = "ensemble_notify", folder: str = "templates") -> None:
        self._env = SandboxedEnvironment(
            loader=PackageLoader(package, folder),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, notification: Notification, *, html: bool) -> RenderedMessage:
        language = notification.language if notification.language in LANGUAGES else "en"
        names = (notification.event.type, "default")
        return self._message(language, names, self.context(notification), html=html)

    def render_named(
        self, name: str, language: str, context: dict[str, Any], *, html: bool
    ) -> RenderedMessage:
        """A message that answers no event (an address verification): `<lang>/<name>.<part>`."""
        return self._message(
            language if language in LANGUAGES else "en", (name,), context, html=html
        )

    def _message(
        self, language: str, names: tuple[str, ...], context: dict[str, Any], *, html: bool
    ) -> RenderedMessage:
        def part(suffix: str) -> str:
            template = self._env.select_template([f"{language}/{n}.{suffix}" for n in names])
            return template.render(context)

        try:
            subject = " ".join(part("subject.txt").split())
            text = part("txt").strip() + "\n"
            body = part("html") if html else None
        except TemplateError as exc:
            raise RenderError(f"template error: {type(exc).__name__}: {exc}") from exc
        if not subject:
            raise RenderError("template error: the subject is empty")
        return RenderedMessage(subject=subject[:250], text=text, html=body)

    @staticmethod
    def context(notification: Notification) -> dict[str, Any]:
        event = notification.event
        return {
            "event": {
                "id": event.id,
                "type": event.type,
                "time": event.time,
                "subject": event.subject,
                "workspace": event.workspace,
            },
            "data": event.data.model_dump(mode="json"),
            "name": notification.name,
            "links": {link.action: link for link in notification.links},
            "actions": list(notification.links),
            "unsubscribe_url": notification.unsubscribe_url,
            "unsubscribe_page": notification.unsubscribe_page,
            "preferences_page": notification.preferences_page,
            "language": notification.language,
            # t("submission_status", data.status): the word a person reads, in their language
            "t": lambda kind, value: word(kind, value, notification.language),
        }
