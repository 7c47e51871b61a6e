"""First run: the first workspace and its admin, while no workspace exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import VisitOf
from ensemble_console.web.i18n import N_

router = APIRouter()

INVALID = N_(
    "Check the fields: the address must be a workspace id (lower-case letters, digits and "
    "dashes), the email valid, and the password at least 12 characters and not a common one."
)


@router.get("/setup")
async def setup_page(visit: VisitOf) -> object:
    status = await visit.clients.identity.setup_status()
    if not status.needed:
        return visit.redirect("/")
    return visit.page("setup/setup.html", token_required=status.token_required, form={})


@router.post("/setup")
async def setup(
    visit: VisitOf,
    workspace: Annotated[str, Form(max_length=64)],
    workspace_name: Annotated[str, Form(max_length=120)],
    name: Annotated[str, Form(max_length=120)],
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    time_zone: Annotated[str, Form(max_length=64)] = "",
    setup_token: Annotated[str, Form(max_length=200)] = "",
) -> object:
    language = visit.i18n.language
    body = {
        "workspace": workspace.strip().lower(),
        "workspace_name": workspace_name.strip(),
        "default_locale": language,
        "name": name.strip(),
        "email": email.strip(),
        "password": password,
        "locale": language,
        "time_zone": time_zone.strip() or None,
    }
    try:
        opened = await visit.clients.identity.setup(
            visit.caller.origin, body, setup_token.strip() or None
        )
    except ApiError as exc:
        if exc.status == 409:
            return visit.redirect("/sign-in")
        if exc.status not in (403, 422):
            raise
        form = {k: v for k, v in body.items() if k != "password"}
        message = INVALID if exc.status == 422 else N_("This first run needs the setup token.")
        required = exc.status == 403 or bool(setup_token)
        return visit.page(
            "setup/setup.html", status=exc.status, token_required=required, form=form, error=message
        )
    visit.open_session(opened)
    return visit.redirect(f"/w/{body['workspace']}/")
