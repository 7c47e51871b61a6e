"""Where `/` leads, a workspace's home, the language switcher, and the workspace switcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ensemble_console.web import i18n
from ensemble_console.web.deps import Staff, VisitOf
from ensemble_console.web.settings_menu import menu_for

router = APIRouter()


@router.get("/")
async def root(visit: VisitOf) -> object:
    """First run while no workspace exists, else sign-in, else the person's first workspace."""
    if visit.me is None:
        status = await visit.clients.identity.setup_status()
        return visit.redirect("/setup" if status.needed else "/sign-in")
    home = visit.me.home
    if home is None:
        return visit.redirect("/account")
    return visit.redirect(f"/w/{home.workspace}/")


@router.get("/w/{workspace}/")
async def workspace_home(staff: Staff) -> object:
    return staff.visit.page("home/workspace.html", place=staff.place)


@router.get("/w/{workspace}/settings")
async def workspace_settings(staff: Staff) -> object:
    """Every settings screen this person may open, grouped by what it configures."""
    return staff.visit.page("home/settings.html", place=staff.place, menu=menu_for(staff.place))


@router.post("/language")
async def switch_language(
    visit: VisitOf,
    language: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form(max_length=2000)] = "/",
) -> object:
    """The switcher: remembered in a cookie, and on the account when signed in."""
    chosen = i18n.choose(language)
    visit.remember_language(chosen)
    if visit.me is not None and visit.me.account.locale != chosen:
        await visit.clients.identity.update_me(visit.caller, {"locale": chosen})
    return visit.redirect(local(back))


def local(path: str) -> str:
    """A path on this site, never elsewhere (`//evil`, `https://…` and `/\\evil` become `/`)."""
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    return path
