"""Raw payloads as they arrived, archived before anything else is done with them."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ensemble_shared.events import new_id, utcnow

RawStatus = Literal["pending", "processed", "rejected"]

# Headers worth keeping to trace and re-parse a webhook; signatures are kept too (audit).
KEPT_HEADERS = ("content-type", "user-agent", "x-github-event", "x-slack-request-timestamp")


class RawPayload(BaseModel):
    """One webhook body or one pulled item; a mention can always be traced back to it."""

    id: str = Field(default_factory=new_id)
    workspace: str
    source_id: str
    platform: str
    kind: Literal["webhook", "item"]
    received_at: datetime = Field(default_factory=utcnow)
    headers: dict[str, str] = Field(default_factory=dict)
    body: str | None = Field(default=None, description="Webhook body (base64 when not UTF-8).")
    body_base64: bool = False
    item: dict[str, Any] | None = Field(default=None, description="A pulled item, as returned.")

    @classmethod
    def webhook(
        cls, *, workspace: str, source_id: str, platform: str, headers: dict[str, str], body: bytes
    ) -> RawPayload:
        kept = {k: v for k, v in headers.items() if k in KEPT_HEADERS or "signature" in k}
        try:
            text, encoded = body.decode(), False
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(body).decode(), True
        return cls(
            workspace=workspace,
            source_id=source_id,
            platform=platform,
            kind="webhook",
            headers=kept,
            body=text,
            body_base64=encoded,
        )

    def body_bytes(self) -> bytes:
        if self.body is None:
            return b""
        return base64.b64decode(self.body) if self.body_base64 else self.body.encode()


class RawOutcome(BaseModel):
    """How processing a raw payload ended; written once."""

    id: str
    workspace: str
    status: Literal["processed", "rejected"]
    reason: str | None = None
    mention_ids: list[str] = Field(default_factory=list)
    at: datetime = Field(default_factory=utcnow)


class RawView(BaseModel):
    """A raw payload with its status, as the API shows it."""

    payload: RawPayload
    status: RawStatus
    reason: str | None = None
    mention_ids: list[str] = Field(default_factory=list)


class RawPage(BaseModel):
    """A source's archived payloads, newest first (a filtered page may hold fewer than asked)."""

    items: list[RawView]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; None: the end."
    )
