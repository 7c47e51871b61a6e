"""GitHub webhooks: issue and discussion comments that mention the brand's keywords."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Parsed,
    Reply,
)
from ensemble_ingest.connectors.keywords import Keywords
from ensemble_ingest.connectors.webhooks._common import (
    NO_HANDSHAKE,
    Doc,
    build_upsert,
    check_hex_hmac,
    header,
)
from ensemble_ingest.models.sources import GitHubConfig

SIGNATURE = "x-hub-signature-256"
EVENT = "x-github-event"
# The comment event and the object the comment hangs on.
COMMENT_EVENTS = {"issue_comment": "issue", "discussion_comment": "discussion"}


class GitHubConnector:
    """One repository or organization webhook, sending issue and discussion comments."""

    platform: ClassVar[str] = "github"

    def handshake(self, config: GitHubConfig, query: Mapping[str, str]) -> Reply:
        return NO_HANDSHAKE  # GitHub announces a new hook with a signed `ping` POST instead

    def verify(
        self, config: GitHubConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(webhook secret, raw body)>`; GitHub
        signs no timestamp, so replays are left to dedup downstream."""
        check_hex_hmac(
            config.webhook_secret.encode(),
            body,
            header(headers, SIGNATURE),
            prefix="sha256=",
            name=SIGNATURE,
            digest="sha256",
        )

    def parse(self, config: GitHubConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        event = headers.get(EVENT)
        if not event:
            raise MalformedPayload(f"{EVENT} header: missing")
        doc = Doc.parse(body)
        parent = COMMENT_EVENTS.get(event)
        if parent is None:
            return Parsed()  # ping, push, issues, ...: nothing that is a comment
        change = _comment_change(config, doc, parent)
        return Parsed(changes=[change] if change is not None else [])


def _comment_change(config: GitHubConfig, doc: Doc, parent: str) -> MentionChange | None:
    action = doc.text("action")
    if action not in ("created", "edited", "deleted"):
        return None
    comment = doc.obj("comment")
    external_id = comment.ident("node_id") if comment.has("node_id") else comment.ident("id")
    if action == "deleted":
        return MentionDeleted(platform="github", external_id=external_id)
    body = comment.opt_text("body") or ""
    keywords = Keywords(config.keywords)
    if keywords and not keywords.match(body):
        # An edit that removes the keyword still updates the stored copy.
        changes = doc.opt_obj("changes")
        previous = changes.opt_obj("body") if changes else None
        if action != "edited" or previous is None or not keywords.match(previous.opt_text("from")):
            return None
    user = comment.obj("user")
    login = user.text("login")
    thread = doc.opt_obj(parent)
    return build_upsert(
        comment.path,
        platform="github",
        external_id=external_id,
        url=comment.text("html_url"),
        author={"id": user.ident("id"), "handle": login, "display_name": user.opt_text("name")},
        text=body,
        created_at=comment.time("created_at"),
        revised_at=comment.time("updated_at") if comment.has("updated_at") else None,
        in_reply_to=thread.opt_ident("node_id") if thread else None,
    )
