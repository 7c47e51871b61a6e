"""Unsubscribe pages: where the unsubscribe link in an email's text leads.

A person's link (staff, notify's preferences) and a community member's link (feedback's
topics) both show what they stop and for which workspace, with one button. GET never
changes anything (mail scanners and chat unfurlers fetch links); the form's POST calls the
same API route as RFC 8058's one-click (`List-Unsubscribe-Post`, which stays on the APIs),
then a confirmation. A forged, malformed or expired link gets a page saying so. The token
is a capability: these pages send no referrer and their paths are redacted from the logs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import APIRouter
from pydantic import BaseModel

from ensemble_console.clients import ApiError, Clients, Origin
from ensemble_console.web.deps import VisitOf
from ensemble_console.web.visit import Visit

router = APIRouter(prefix="/hooks/unsubscribe")


class Done(Protocol):
    @property
    def what(self) -> str: ...


class Unsubscribing(Protocol):
    """notify's client for people's links, feedback's for members' links."""

    async def unsubscribe_link(self, token: str, origin: Origin) -> BaseModel: ...

    async def unsubscribe(self, token: str, origin: Origin) -> Done: ...


@dataclass(frozen=True)
class Kind:
    path: str
    template: str
    label: str  # the label kind naming what the link stops
    api: Callable[[Clients], Unsubscribing]


PERSON = Kind("/hooks/unsubscribe/", "unsubscribe/person.html", "notify_event", lambda c: c.notify)
MEMBER = Kind(
    "/hooks/unsubscribe/members/", "unsubscribe/member.html", "member_topic", lambda c: c.feedback
)


def refused(visit: Visit, exc: ApiError) -> object:
    """401 forged, 400/422 malformed or expired, 404 a member no longer there."""
    if exc.status not in (400, 401, 404, 410, 422):
        raise exc
    expired = exc.status == 410 or "expired" in exc.message
    reason = "expired" if expired else "invalid"
    return visit.page("unsubscribe/gone.html", status=410 if expired else 404, reason=reason)


async def _show(visit: Visit, token: str, kind: Kind) -> object:
    try:
        link = await kind.api(visit.clients).unsubscribe_link(token, visit.caller.origin)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.page(kind.template, link=link, action=f"{kind.path}{token}")


async def _act(visit: Visit, token: str, kind: Kind) -> object:
    try:
        done = await kind.api(visit.clients).unsubscribe(token, visit.caller.origin)
    except ApiError as exc:
        return refused(visit, exc)
    return visit.page("unsubscribe/done.html", kind=kind.label, what=done.what)


@router.get("/members/{token}")
async def member_page(visit: VisitOf, token: str) -> object:
    return await _show(visit, token, MEMBER)


@router.post("/members/{token}")
async def unsubscribe_member(visit: VisitOf, token: str) -> object:
    return await _act(visit, token, MEMBER)


@router.get("/{token}")
async def person_page(visit: VisitOf, token: str) -> object:
    return await _show(visit, token, PERSON)


@router.post("/{token}")
async def unsubscribe_person(visit: VisitOf, token: str) -> object:
    return await _act(visit, token, PERSON)
