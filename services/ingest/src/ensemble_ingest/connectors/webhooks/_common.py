"""What the webhook connectors share: field access that names the field, HMAC checks."""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ensemble_ingest.connectors.base import MalformedPayload, MentionUpsert, Reply, SignatureRefused
from ensemble_ingest.models.mentions import IncomingMention
from ensemble_shared.capabilities import same_secret
from ensemble_shared.web.bodies import parse_json

_DATETIME = TypeAdapter(datetime)

NO_HANDSHAKE = Reply(405, "This platform makes no GET handshake.", "text/plain")


def describe(exc: ValidationError) -> str:
    """A pydantic error as `field: reason` pairs, so the caller learns which field is wrong."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "value"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def build_upsert(where: str, **fields: Any) -> MentionUpsert:
    """Validate through `IncomingMention`; what it refuses is malformed, named from `where`."""
    try:
        return MentionUpsert(mention=IncomingMention.model_validate(fields))
    except ValidationError as exc:
        prefix = f"{where}: " if where else ""
        raise MalformedPayload(f"{prefix}{describe(exc)}") from None


class Doc:
    """A JSON object with its path in the payload, so every error names the field it is about."""

    __slots__ = ("data", "path")

    def __init__(self, data: Mapping[str, Any], path: str = "") -> None:
        self.data = data
        self.path = path

    @classmethod
    def parse(cls, body: bytes) -> Doc:
        """The body as a JSON object; anything else is malformed."""
        try:
            data = parse_json(body)
        except ValueError as exc:  # too deep, not JSON, or not UTF-8
            raise MalformedPayload(f"body: not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise MalformedPayload("body: expected a JSON object")
        return cls(data)

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _required(self, key: str) -> Any:
        value = self.data.get(key)
        if value is None:
            raise MalformedPayload(f"{self.at(key)}: missing")
        return value

    def obj(self, key: str) -> Doc:
        value = self._required(key)
        if not isinstance(value, dict):
            raise MalformedPayload(f"{self.at(key)}: expected an object")
        return Doc(value, self.at(key))

    def opt_obj(self, key: str) -> Doc | None:
        return self.obj(key) if self.has(key) else None

    def objs(self, key: str) -> list[Doc]:
        """A list of objects; absent means empty (platforms omit empty arrays)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise MalformedPayload(f"{self.at(key)}: expected a list")
        docs = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise MalformedPayload(f"{self.at(key)}[{index}]: expected an object")
            docs.append(Doc(item, f"{self.at(key)}[{index}]"))
        return docs

    def text(self, key: str) -> str:
        """A required string, kept exactly as sent (it may be empty)."""
        value = self._required(key)
        if not isinstance(value, str):
            raise MalformedPayload(f"{self.at(key)}: expected a string")
        return value

    def opt_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def ident(self, key: str) -> str:
        """A required, non-empty id; older payloads send some ids as numbers."""
        value = self._required(key)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise MalformedPayload(f"{self.at(key)}: expected an id (string or integer)")
        ident = str(value)
        if not ident:
            raise MalformedPayload(f"{self.at(key)}: empty")
        return ident

    def opt_ident(self, key: str) -> str | None:
        return self.ident(key) if self.has(key) else None

    def opt_int(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedPayload(f"{self.at(key)}: expected an integer")
        return value

    def time(self, key: str) -> datetime:
        """A required instant: ISO 8601, or Unix seconds (pydantic also reads milliseconds)."""
        return parse_time(self._required(key), self.at(key))


def parse_time(value: object, where: str) -> datetime:
    """An instant, UTC when the platform gives no offset."""
    if isinstance(value, bool):
        raise MalformedPayload(f"{where}: expected a timestamp")
    try:
        parsed = _DATETIME.validate_python(value)
    except ValidationError:
        raise MalformedPayload(f"{where}: expected a timestamp, got {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def header(headers: Mapping[str, str], name: str) -> str:
    """A required signature header; its absence means the request is not the platform's."""
    value = headers.get(name)
    if not value:
        raise SignatureRefused(f"missing {name} header")
    return value


def _signed_part(value: str, prefix: str, name: str) -> str:
    if not value.startswith(prefix):
        raise SignatureRefused(f"{name} does not start with {prefix}")
    return value[len(prefix) :]


def check_hex_hmac(
    key: bytes, message: bytes, value: str, *, prefix: str, name: str, digest: str
) -> None:
    """Refuse unless `value` is `prefix` + the hex HMAC of `message` (constant-time compare)."""
    try:
        given = bytes.fromhex(_signed_part(value, prefix, name))
    except ValueError:
        raise SignatureRefused(f"{name} is not hex") from None
    expected = hmac.new(key, message, digest).digest()
    if not hmac.compare_digest(given, expected):
        raise SignatureRefused(f"{name} does not match the body")


def check_base64_hmac(
    key: bytes, message: bytes, value: str, *, prefix: str, name: str, digest: str
) -> None:
    """Refuse unless `value` is `prefix` + the base64 HMAC of `message` (constant-time compare)."""
    try:
        given = base64.b64decode(_signed_part(value, prefix, name), validate=True)
    except (ValueError, binascii.Error):  # non-ASCII text raises a plain ValueError
        raise SignatureRefused(f"{name} is not base64") from None
    expected = hmac.new(key, message, digest).digest()
    if not hmac.compare_digest(given, expected):
        raise SignatureRefused(f"{name} does not match the body")


def secrets_equal(given: str, expected: str) -> bool:
    """Compare a shared token without leaking, through timing, how much of it matched."""
    return same_secret(given, expected)
