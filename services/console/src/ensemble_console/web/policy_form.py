"""An approval policy as one plain form, and back: every field is named after its place in
scheduler's `PUT /approval-policies/{name}` body, so its 422s land next to their fields.

Lists are typed comma-separated; steps are rows (`steps.<n>.<field>`), the page offers the
policy's steps and one empty row, and a row left empty is no step. Values go to scheduler as
typed: it checks them (a number, a role, a quorum) and says which one is wrong. People are
the one exception: an admin knows colleagues by email, scheduler by account id, so the form
shows and takes emails (or ids) and the console translates with the workspace's members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ensemble_console.models.identity import Member
from ensemble_console.models.scheduler import Approvers, Policy, PolicyStep
from ensemble_console.web.form_errors import listed

WHEN = ("kinds", "channels", "tags", "sentiments", "priorities", "mention_tags")
STEP_LISTS = ("people", "teams", "roles", "owns", "remind_before_minutes")
BACKUP = ("people", "teams", "roles")
MISSED_SLOT = ("reslot", "expire", "hold")
TOP = (
    "name",
    "priority",
    "description",
    "allow_self_approval",
    "deadlines.sla_minutes",
    "deadlines.remind_before_minutes",
    "deadlines.on_missed_slot",
    *(f"when.{key}" for key in WHEN),
)
STEP_FIELDS = (
    "name",
    *STEP_LISTS,
    "quorum",
    "sla_minutes",
    "external",
    *(f"backup.{key}" for key in BACKUP),
    "backup",
)


def field_names(rows: int) -> list[str]:
    """Every field of a form with `rows` step rows (where an error may be shown)."""
    names = [*TOP, "steps"]
    for n in range(rows):
        names += [f"steps.{n}", *(f"steps.{n}.{key}" for key in STEP_FIELDS)]
    return names


def _joined(values: tuple[Any, ...] | None) -> str:
    return ", ".join(str(v) for v in values or ())


def _step_values(n: int, step: PolicyStep) -> dict[str, str]:
    prefix = f"steps.{n}."
    values = {
        f"{prefix}name": step.name,
        f"{prefix}quorum": str(step.quorum),
        f"{prefix}sla_minutes": "" if step.sla_minutes is None else str(step.sla_minutes),
        f"{prefix}external": "\n".join(
            ", ".join(filter(None, (e.id, e.name, e.email))) for e in step.external
        ),
    }
    for key in STEP_LISTS:
        values[prefix + key] = _joined(getattr(step, key))
    backup = step.backup or Approvers()
    for key in BACKUP:
        values[f"{prefix}backup.{key}"] = _joined(getattr(backup, key))
    return values


def policy_values(policy: Policy | None) -> dict[str, str]:
    """The form filled with a policy (or a new one's defaults)."""
    if policy is None:
        return {
            "priority": "100",
            "deadlines.sla_minutes": "1440",
            "deadlines.remind_before_minutes": "60",
            "deadlines.on_missed_slot": "reslot",
        }
    values = {
        "name": policy.name,
        "priority": str(policy.priority),
        "description": policy.description or "",
        "allow_self_approval": "on" if policy.allow_self_approval else "",
        "deadlines.sla_minutes": str(policy.deadlines.sla_minutes),
        "deadlines.remind_before_minutes": _joined(policy.deadlines.remind_before_minutes),
        "deadlines.on_missed_slot": policy.deadlines.on_missed_slot,
    }
    for key in WHEN:
        values[f"when.{key}"] = _joined(getattr(policy.when, key))
    for n, step in enumerate(policy.steps):
        values.update(_step_values(n, step))
    return values


def step_rows(values: Mapping[str, str]) -> int:
    """How many step rows the form offers: those filled, and one empty row for a new step."""
    filled = [n for n in range(50) if any(values.get(f"steps.{n}.{k}") for k in STEP_FIELDS)]
    return (max(filled) + 2) if filled else 1


def compacted(values: Mapping[str, str]) -> dict[str, str]:
    """The form's values with the empty step rows taken out and the others numbered from 0,
    as the body's `steps` list is (so an error on `steps.1` is on the second row shown)."""
    rows = [n for n in range(step_rows(values)) if _step(values, n) is not None]
    kept = {k: v for k, v in values.items() if not k.startswith("steps.")}
    for new, old in enumerate(rows):
        for key in STEP_FIELDS:
            if f"steps.{old}.{key}" in values:
                kept[f"steps.{new}.{key}"] = values[f"steps.{old}.{key}"]
    return kept


def _external(text: str) -> list[dict[str, str | None]]:
    """One external approver a line: `id, name, email` (the email optional)."""
    found: list[dict[str, str | None]] = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split(",")]
        if any(parts):
            found.append(
                {
                    "id": parts[0],
                    "name": parts[1] if len(parts) > 1 else "",
                    "email": (parts[2] or None) if len(parts) > 2 else None,
                }
            )
    return found


def _step(values: Mapping[str, str], n: int) -> dict[str, Any] | None:
    def value(key: str) -> str:
        return values.get(f"steps.{n}.{key}", "").strip()

    if not any(value(key) for key in STEP_FIELDS):
        return None
    step: dict[str, Any] = {"name": value("name"), "quorum": value("quorum") or "any"}
    for key in STEP_LISTS:
        if key == "owns" and not value(key):
            continue  # scheduler's default: the step answers for every content field
        if key == "remind_before_minutes" and not value(key):
            continue  # the policy's reminders
        step[key] = listed(value(key))
    if value("sla_minutes"):
        step["sla_minutes"] = value("sla_minutes")
    if value("external"):
        step["external"] = _external(values.get(f"steps.{n}.external", ""))
    backup = {key: listed(value(f"backup.{key}")) for key in BACKUP}
    if any(backup.values()):
        step["backup"] = backup
    return step


def policy_body(values: Mapping[str, str]) -> dict[str, Any]:
    """The body of `PUT /approval-policies/{name}` from the form's values."""
    steps = [s for n in range(step_rows(values)) if (s := _step(values, n)) is not None]
    return {
        "priority": values.get("priority", "").strip() or "100",
        "description": values.get("description", "").strip() or None,
        "when": {key: listed(values.get(f"when.{key}", "")) for key in WHEN},
        "steps": steps,
        "deadlines": {
            "sla_minutes": values.get("deadlines.sla_minutes", "").strip() or 1440,
            "remind_before_minutes": listed(values.get("deadlines.remind_before_minutes", "")),
            "on_missed_slot": values.get("deadlines.on_missed_slot", "reslot"),
        },
        "allow_self_approval": values.get("allow_self_approval") == "on",
    }


PEOPLE = ("people", "backup.people")


def _people_fields(values: Mapping[str, str]) -> list[str]:
    rows = range(step_rows(values))
    return [f"steps.{n}.{key}" for n in rows for key in PEOPLE if f"steps.{n}.{key}" in values]


def people_as_emails(values: Mapping[str, str], members: Iterable[Member]) -> dict[str, str]:
    """The form's approvers by email; the id of someone no longer a member stays an id."""
    emails = {m.account_id: m.email for m in members}
    shown = dict(values)
    for key in _people_fields(values):
        shown[key] = ", ".join(emails.get(p, p) for p in listed(values[key]))
    return shown


def people_as_ids(
    values: Mapping[str, str], members: Iterable[Member]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's approvers as account ids, and per field the emails no member has (those
    are refused: scheduler would take them as ids nobody holds)."""
    ids = {m.email.casefold(): m.account_id for m in members}
    sent, unknown = dict(values), {}
    for key in _people_fields(values):
        typed = listed(values[key])
        sent[key] = ", ".join(ids.get(p.casefold(), p) for p in typed)
        missing = [p for p in typed if "@" in p and p.casefold() not in ids]
        if missing:
            unknown[key] = missing
    return sent, unknown
