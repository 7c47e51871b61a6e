"""Connecting a channel's publishing account with OAuth 2: the channel page's "Connect with
<platform>" button (an admin's POST) sends the browser to the platform; the platform sends
it back to `/oauth/callback`, the redirect URI registered with each platform.

The callback's GET changes no data of Ensemble: it has scheduler exchange the code at once
(X's codes live 30 seconds) into a pending connection, kept server-side, and shows which
account that is; only the page's POST, "Use this account", makes it the channel's account.
The `workspace:state` cookie set at the start binds the callback to the browser that began it;
scheduler binds the state to the person, the workspace and the channel, and spends it once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler_admin import Connection
from ensemble_console.routes.channels import ChannelName
from ensemble_console.web.cookies import STATE_SECONDS
from ensemble_console.web.deps import Admin, SignedIn
from ensemble_console.web.form_errors import form_values
from ensemble_console.web.labels_scheduler import SCHEDULER_LABELS
from ensemble_console.web.visit import Visit
from ensemble_shared.capabilities import same_secret

router = APIRouter()

PROBLEMS = (403, 404, 409, 410, 422, 503)
"""Scheduler's refusals of a callback, each shown as a page saying what to do."""


@router.post("/w/{workspace}/admin/channels/{channel}/connect")
async def connect(admin: Admin, channel: ChannelName, request: Request) -> object:
    """To the platform's consent page; the state comes back with the person."""
    visit = admin.visit
    form = await form_values(request)
    body: dict[str, str] = {"platform": form.get("platform", "")}
    if form.get("target", "").strip():
        body["target"] = form["target"].strip()
    try:
        started = await visit.clients.scheduler.start_connection(
            visit.caller, admin.workspace, channel, body
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        path = f"/w/{admin.workspace}/admin/channels/{channel}"
        return visit.redirect(path, notice="connect_refused")
    visit.set_cookie(visit.cookies.oauth_state, f"{admin.workspace}:{started.state}", STATE_SECONDS)
    return visit.redirect(started.authorize_url)


def _flow(visit: Visit, state: str) -> str | None:
    """The workspace of the connection this browser started with `state`, if it did."""
    kept = visit.request.cookies.get(visit.cookies.oauth_state, "")
    workspace, _, expected = kept.partition(":")
    if not (state and workspace and expected and same_secret(state, expected)):
        return None
    return workspace


def _problem(
    visit: Visit, status: int, problem: str, workspace: str | None = None, **context: object
) -> object:
    place = visit.place(workspace) if workspace else None
    return visit.page("oauth/callback.html", status=status, problem=problem, place=place, **context)


@router.get("/oauth/callback")
async def callback(
    visit: SignedIn,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=2048)] = "",
    error: Annotated[str, Query(max_length=100)] = "",
    error_description: Annotated[str, Query(max_length=500)] = "",
) -> object:
    """Where the platform sends the person back: the account to confirm, or why not."""
    workspace = _flow(visit, state)
    if workspace is None:
        return _problem(visit, 400, "not_this_browser")
    if error:
        visit.clear_cookie(visit.cookies.oauth_state)
        return _problem(
            visit,
            400,
            "provider",
            error=error,
            known=error in SCHEDULER_LABELS["oauth_error"],
            description=error_description,
            workspace=workspace,
        )
    if not code:
        return _problem(visit, 400, "not_this_browser")
    try:
        connection = await _exchanged(visit, workspace, state, code)
    except ApiError as exc:
        if exc.status not in PROBLEMS:
            raise
        visit.clear_cookie(visit.cookies.oauth_state)
        return _problem(visit, exc.status, "refused", workspace, message=exc.message)
    place = visit.place(workspace)
    return visit.page(
        "oauth/callback.html", connection=connection, state=state, place=place, problem=""
    )


async def _exchanged(visit: Visit, workspace: str, state: str, code: str) -> Connection:
    """The code exchanged; on a reload of this page (the code is spent: 410), the pending
    connection it gave, as long as it is not used."""
    scheduler = visit.clients.scheduler
    try:
        return await scheduler.connection_code(visit.caller, workspace, state, code)
    except ApiError as exc:
        if exc.status != 410:
            raise
        pending = await scheduler.connection(visit.caller, workspace, state)
        if pending.status != "exchanged":
            raise
        return pending


@router.post("/oauth/callback")
async def use(visit: SignedIn, state: Annotated[str, Form(max_length=200)] = "") -> object:
    """ "Use this account": the pending connection becomes the channel's account."""
    workspace = _flow(visit, state)
    if workspace is None:
        return _problem(visit, 400, "not_this_browser")
    visit.clear_cookie(visit.cookies.oauth_state)
    try:
        account = await visit.clients.scheduler.use_connection(visit.caller, workspace, state)
    except ApiError as exc:
        if exc.status not in PROBLEMS:
            raise
        return _problem(visit, exc.status, "refused", workspace, message=exc.message)
    path = f"/w/{workspace}/admin/channels/{account.channel}"
    return visit.redirect(path, notice="account_connected")
