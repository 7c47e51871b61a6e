"""Approval policies (admins): the list in the order scheduler tries them, one form that
creates or replaces a policy (steps, approvers by email, deadlines, escalation, self-approval,
what a missed slot does; scheduler's 422s are shown next to their fields), and a button that
deletes one."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Request

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_errors import FormErrors, form_errors, form_values
from ensemble_console.web.i18n import N_
from ensemble_console.web.policy_form import (
    MISSED_SLOT,
    compacted,
    field_names,
    people_as_emails,
    people_as_ids,
    policy_body,
    policy_values,
    step_rows,
)

router = APIRouter(prefix="/w/{workspace}/admin/policies")

PolicyName = Annotated[str, Path(min_length=1, max_length=64)]
NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,63}$")
NAME_RULE = N_("A name of letters, digits, dots, dashes or underscores, up to 64 characters.")
NAME_TAKEN = N_("A policy already has this name: open it from the list to change it.")
NOT_A_MEMBER = N_("No member of this workspace has this email: %(emails)s.")


def _form(
    admin: Admin, values: dict[str, str], *, new: bool, errors: FormErrors, status: int = 200
) -> object:
    return admin.visit.page(
        "policies/edit.html",
        status=status,
        place=admin.place,
        values=values,
        rows=step_rows(values),
        new=new,
        errors=errors,
        missed_slot=MISSED_SLOT,
    )


@router.get("")
async def policies(admin: Admin) -> object:
    visit = admin.visit
    page = await visit.clients.scheduler.policies(visit.caller, admin.workspace)
    listed = sorted(page.items, key=lambda p: (p.priority, p.name))
    return visit.page("policies/list.html", place=admin.place, policies=listed, page=page)


@router.get("/new")
async def new_policy(admin: Admin) -> object:
    return _form(admin, policy_values(None), new=True, errors=FormErrors())


@router.get("/{name}")
async def policy(admin: Admin, name: PolicyName) -> object:
    visit = admin.visit
    found = await visit.clients.scheduler.policy(visit.caller, admin.workspace, name)
    if found is None:
        return visit.error(404)
    members = await visit.clients.people.members(visit.caller, admin.workspace)
    values = people_as_emails(policy_values(found), members)
    return _form(admin, values, new=False, errors=FormErrors())


@router.post("")
async def save_policy(admin: Admin, request: Request) -> object:
    """Creates (the name typed) or replaces (the name kept in a hidden field) a policy."""
    visit = admin.visit
    form = await form_values(request)
    values = compacted(form)
    name = values.get("name", "").strip()
    new = values.get("new") == "yes"
    if not NAME.match(name):
        errors = FormErrors({"name": visit.i18n.gettext(NAME_RULE)})
        return _form(admin, values, new=new, errors=errors, status=422)
    if new and await visit.clients.scheduler.policy(visit.caller, admin.workspace, name):
        errors = FormErrors({"name": visit.i18n.gettext(NAME_TAKEN)})
        return _form(admin, values, new=new, errors=errors, status=409)
    members = await visit.clients.people.members(visit.caller, admin.workspace)
    sent, unknown = people_as_ids(values, members)
    if unknown:
        errors = FormErrors(
            {
                key: visit.i18n.gettext(NOT_A_MEMBER) % {"emails": ", ".join(emails)}
                for key, emails in unknown.items()
            }
        )
        return _form(admin, values, new=new, errors=errors, status=422)
    try:
        await visit.clients.scheduler.put_policy(
            visit.caller, admin.workspace, name, policy_body(sent)
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = form_errors(exc, field_names(step_rows(values)))
        return _form(admin, values, new=new, errors=errors, status=422)
    notice = "policy_created" if new else "policy_saved"
    return visit.redirect(f"/w/{admin.workspace}/admin/policies/{name}", notice=notice)


@router.post("/{name}/delete")
async def delete_policy(admin: Admin, name: PolicyName) -> object:
    """Scheduler's 404 for a policy already gone is the 404 page."""
    visit = admin.visit
    await visit.clients.scheduler.delete_policy(visit.caller, admin.workspace, name)
    return visit.redirect(f"/w/{admin.workspace}/admin/policies", notice="policy_deleted")
