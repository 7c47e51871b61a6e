"""What of an event may leave for someone it was not addressed to: all but its capabilities.

Some events carry signed links for one recipient each (an approver's decision link, a member's
unsubscribe and verification paths, a report's chart images). Notify gives each link to its
recipient only; everything else that sees events (integrator webhooks, the delivery log) gets
them through `disclosed`, which drops every field declared with `CAPABILITY` and, should a new
field forget to say so, blanks any token-shaped text left (`ensemble_shared.redaction`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from ensemble_shared.redaction import redact_secrets

# `Field(json_schema_extra=CAPABILITY)`: the field is a capability (also in the AsyncAPI schema).
CAPABILITY: dict[str, Any] = {"x-capability": True}


def disclosed(model: BaseModel) -> dict[str, Any]:
    """`model` as JSON values, without its capabilities."""
    exclude = _capabilities(model)
    dumped: dict[str, Any] = _redacted(model.model_dump(mode="json", exclude=exclude or None))
    return dumped


def _capabilities(model: BaseModel) -> dict[Any, Any]:
    """pydantic's `exclude` spec for every capability field in `model`, nested ones included."""
    spec: dict[Any, Any] = {}
    for name, field in type(model).model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, Mapping) and extra.get("x-capability"):
            spec[name] = True
            continue
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            inner = _capabilities(value)
        elif isinstance(value, Mapping):
            inner = _items(value.items())
        elif isinstance(value, Sequence) and not isinstance(value, str):
            inner = _items(enumerate(value))
        else:
            continue
        if inner:
            spec[name] = inner
    return spec


def _items(pairs: Any) -> dict[Any, Any]:
    found = {key: _capabilities(v) for key, v in pairs if isinstance(v, BaseModel)}
    return {key: spec for key, spec in found.items() if spec}


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_secrets(value)
    if isinstance(value, dict):
        return {key: _redacted(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
