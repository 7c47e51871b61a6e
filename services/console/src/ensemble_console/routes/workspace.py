"""The workspace's own settings (admins): its name, the default language of what it sends,
and whether anyone may join its community by magic link. One form, identity's
`PATCH /workspaces/{workspace}` with every field; identity's 422s are shown next to them."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_errors import form_values
from ensemble_console.web.i18n import LANGUAGES

router = APIRouter(prefix="/w/{workspace}/admin/workspace")

FIELDS = ("name", "default_locale", "member_signup")


async def _page(
    admin: Admin,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = admin.visit
    if values is None:
        found = await visit.clients.people.workspace(visit.caller, admin.workspace)
        values = {
            "name": found.name,
            "default_locale": found.default_locale,
            "member_signup": "on" if found.member_signup else "",
        }
    return visit.page(
        "admin/workspace.html",
        status=status,
        place=admin.place,
        values=values,
        errors=errors or {},
        fields=FIELDS,
        languages=LANGUAGES,
    )


@router.get("")
async def workspace_settings(admin: Admin) -> object:
    return await _page(admin)


@router.post("")
async def save_workspace_settings(admin: Admin, request: Request) -> object:
    visit = admin.visit
    form = await form_values(request)
    values = {key: form.get(key, "").strip() for key in FIELDS}
    body = {
        "name": values["name"],
        "default_locale": values["default_locale"],
        "member_signup": values["member_signup"] == "on",
    }
    try:
        await visit.clients.people.update_workspace(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = exc.fields or {"": exc.message}
        return await _page(admin, status=422, values=values, errors=errors)
    return visit.redirect(f"/w/{admin.workspace}/admin/workspace", notice="workspace_saved")
