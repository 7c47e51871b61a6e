"""Comparing two versions of a content item, field by field. Pure."""

from __future__ import annotations

import difflib
import json
from typing import Any

from ensemble_scheduler.models.content import EDITABLE, ContentDiff, ContentVersion, FieldDiff


def _lines(values: dict[str, Any]) -> list[str]:
    """One block per field; multi-line text stays multi-line so the diff reads like prose."""
    lines: list[str] = []
    for name in EDITABLE:
        value = values.get(name)
        if isinstance(value, str):
            body = value.splitlines() or [""]
            lines.append(f"{name}: {body[0]}\n")
            lines.extend(f"  {line}\n" for line in body[1:])
        else:
            lines.append(f"{name}: {json.dumps(value, sort_keys=True, ensure_ascii=False)}\n")
    return lines


def diff(before: ContentVersion, after: ContentVersion) -> ContentDiff:
    a, b = before.fields.comparable(), after.fields.comparable()
    unified = "".join(
        difflib.unified_diff(
            _lines(a),
            _lines(b),
            fromfile=f"version {before.version}",
            tofile=f"version {after.version}",
        )
    )
    return ContentDiff(
        content_id=after.content_id,
        from_version=before.version,
        to_version=after.version,
        changed=[
            FieldDiff(field=name, before=a.get(name), after=b.get(name))
            for name in EDITABLE
            if a.get(name) != b.get(name)
        ],
        unified=unified,
    )
