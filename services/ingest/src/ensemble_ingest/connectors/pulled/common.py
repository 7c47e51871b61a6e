"""What the pulled and streamed connectors share: HTML to text, field checks, reconnecting."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from pydantic import ValidationError

from ensemble_ingest.connectors.base import MalformedPayload, MentionChange, MentionUpsert
from ensemble_ingest.models.mentions import IncomingMention
from ensemble_shared.retries import Backoff

MAX_TEXT = 40_000  # IncomingMention.text
MAX_EXTERNAL_ID = 256  # IncomingMention.external_id
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# Waits between a stream's reconnections, growing after each failure: an outage is not hammered.
RECONNECT_BACKOFF = Backoff(base_seconds=0.5, max_seconds=30.0)
_BLOCKS = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})


class _TextExtractor(HTMLParser):
    """Keeps the text nodes; line breaks for <br> and block ends, nothing for scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Plain text of sanitized HTML (Mastodon content, feed summaries): entities decoded."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def language(value: object) -> str | None:
    """A language tag IncomingMention accepts ("en", "pt-BR"), or None: never a rejection."""
    if not isinstance(value, str):
        return None
    primary, _, region = value.strip().replace("_", "-").partition("-")
    tag = f"{primary.lower()}-{region}" if region else primary.lower()
    return tag if _LANGUAGE.match(tag) else None


def web_url(value: object) -> str | None:
    """An http(s) URL, or None (IncomingMention.url takes nothing else)."""
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return None


def natural_key(value: str) -> str:
    """The platform's id as the external id; hashed when longer than the field allows."""
    if len(value) <= MAX_EXTERNAL_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def text_field(obj: Mapping[str, Any], key: str, what: str) -> str:
    """A required, non-empty string field; MalformedPayload names what is missing."""
    value = obj.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise MalformedPayload(f"{what} has no {key}")
    return value


def mapping_field(obj: Mapping[str, Any], key: str, what: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if not isinstance(value, Mapping):
        raise MalformedPayload(f"{what} has no {key} object")
    return value


def iso_datetime(value: object, what: str) -> datetime:
    """An ISO 8601 timestamp as an aware datetime (naive ones are taken as UTC)."""
    if not isinstance(value, str):
        raise MalformedPayload(f"{what} has no timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise MalformedPayload(f"{what} has an unreadable timestamp {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def upsert(**fields: Any) -> list[MentionChange]:
    """One MentionUpsert; a field the model refuses becomes MalformedPayload, not a crash."""
    fields["text"] = str(fields.get("text", ""))[:MAX_TEXT]
    try:
        return [MentionUpsert(mention=IncomingMention(**fields))]
    except ValidationError as error:
        raise MalformedPayload(f"not a valid mention: {error}") from error


class Recent:
    """A bounded set that forgets the oldest first: what a stream yielded lately."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)
