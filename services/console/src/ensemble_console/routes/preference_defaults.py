"""The workspace's notification defaults (admins): the same grid as a person's own
preferences (event groups by channels, off, at once or a digest; quiet hours), read and
saved through notify's `/preferences/defaults`. A person's own choice wins over these;
rules set by other means than the grid are kept when it is saved."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ensemble_console.clients import ApiError
from ensemble_console.web import preference_grid as grid
from ensemble_console.web.deps import Admin
from ensemble_console.web.i18n import N_

router = APIRouter(prefix="/w/{workspace}/admin/notification-defaults")


async def _page(admin: Admin, status: int = 200, errors: dict[str, str] | None = None) -> object:
    visit = admin.visit
    current = await visit.clients.notify.preference_defaults(visit.caller, admin.workspace)
    return visit.page(
        "routing/defaults.html",
        status=status,
        place=admin.place,
        errors=errors or {},
        **grid.shown(current),
    )


@router.get("")
async def preference_defaults(admin: Admin) -> object:
    return await _page(admin)


@router.post("")
async def save_preference_defaults(admin: Admin, request: Request) -> object:
    visit = admin.visit
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    current = await visit.clients.notify.preference_defaults(visit.caller, admin.workspace)
    try:
        body = grid.to_body(form, current)
        await visit.clients.notify.save_preference_defaults(visit.caller, admin.workspace, body)
    except grid.GridError as exc:
        if str(exc) == "quiet hours":
            wrong = {"quiet_hours": N_("Give quiet hours a start and an end that differ.")}
        else:
            wrong = {"": N_("Choose each cell's value from its list.")}
        return await _page(admin, 422, {k: visit.i18n.gettext(v) for k, v in wrong.items()})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _page(admin, 422, exc.fields or {"": exc.message})
    return visit.redirect(
        f"/w/{admin.workspace}/admin/notification-defaults", notice="notification_defaults_saved"
    )
