"""One request as a page sees it: who (the person, if signed in), in which language, from
where, with which CSRF token; and the answers a page gives (a page, a redirect, an error).

`visit_of` is the one dependency every route starts from. It reads the session cookie and,
when there is one, asks identity who it is (`GET /me`): revoked sessions end at once, and the
person's language, time zone and places are always current. The language is the account's,
else the switcher's cookie, else the link's `lang` (notify writes the person's language into
the decision links it sends, for a browser where they are not signed in), else the browser's
`Accept-Language`, else English.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ensemble_console.clients import ApiError, Caller, Clients, Origin
from ensemble_console.clients.tokens import session_key
from ensemble_console.models.identity import Me, Place, SessionOpened
from ensemble_console.web import i18n
from ensemble_console.web.cookies import PREFERENCE_SECONDS, SESSION_SECONDS, Cookies
from ensemble_console.web.csrf import Csrf
from ensemble_console.web.pages import Pages
from ensemble_console.web.unread import start_counting

R = TypeVar("R", bound=Response)


@dataclass
class Visit:
    request: Request
    i18n: i18n.Translator
    caller: Caller
    me: Me | None
    csrf: str
    cookies: Cookies
    unread: int | None = None
    """The navigation's unread notifications (`web/unread.py`); None when not known."""
    counting: asyncio.Task[int | None] | None = None
    """That count, asked for beside `GET /me`; the `Staff` dependency settles it."""
    _set: dict[str, tuple[str, int]] = field(default_factory=dict)
    _clear: set[str] = field(default_factory=set)

    @property
    def clients(self) -> Clients:
        clients: Clients = self.request.app.state.clients
        return clients

    @property
    def signed_in(self) -> bool:
        return self.me is not None

    @property
    def path(self) -> str:
        return self.request.url.path

    def place(self, workspace: str) -> Place | None:
        return self.me.place(workspace) if self.me else None

    # --- answers -------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        pages: Pages = self.request.app.state.pages
        html = pages.render(template, visit=self, **context)
        response = HTMLResponse(html, status_code=status)
        if self.request.method != "GET":
            # A page answering a form (an error, a secret shown once) stays at the form's
            # address in the history: reloading must not GET a POST-only route.
            response.headers["hx-push-url"] = "false"
        return self.apply(response)

    def error(self, status: int, kind: str = "") -> HTMLResponse:
        return self.page("errors/error.html", status=status, error_status=status, kind=kind)

    def redirect(self, url: str, **query: str) -> RedirectResponse:
        """303 after a form (see other: the browser GETs the next page)."""
        if query:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(query)}"
        return self.apply(RedirectResponse(url, status_code=303))

    def apply(self, response: R) -> R:
        for name in self._clear:
            self.cookies.clear(response, name)
        for name, (value, max_age) in self._set.items():
            self.cookies.set(response, name, value, max_age)
        return response

    # --- what a page changes in the browser --------------------------------------------------

    def open_session(self, opened: SessionOpened | str) -> None:
        token = opened if isinstance(opened, str) else opened.session_token
        self._set[self.cookies.session] = (token, SESSION_SECONDS)
        self._clear.discard(self.cookies.session)

    def end_session(self) -> None:
        if self.caller.session:
            self.clients.tokens.forget(self.caller.session)
        self._set.pop(self.cookies.session, None)
        self._clear.add(self.cookies.session)

    def remember_language(self, language: str) -> None:
        self._set[self.cookies.language] = (language, PREFERENCE_SECONDS)

    def set_cookie(self, name: str, value: str, max_age: int) -> None:
        self._set[name] = (value, max_age)

    def clear_cookie(self, name: str) -> None:
        self._clear.add(name)


def origin_of(request: Request) -> Origin:
    """The browser's address as uvicorn resolved it (it believes X-Forwarded-For from the
    proxy, FORWARDED_ALLOW_IPS) and its user agent, forwarded to every API call."""
    ip = request.client.host if request.client else None
    return Origin(ip=ip, user_agent=request.headers.get("user-agent", "")[:300])


async def visit_of(request: Request) -> Visit:
    """The request's visit, built once (routes, the CSRF check and error pages share it)."""
    existing = getattr(request.state, "visit", None)
    if isinstance(existing, Visit):
        return existing
    cookies: Cookies = request.app.state.cookies
    csrf: Csrf = request.app.state.csrf
    clients: Clients = request.app.state.clients
    origin = origin_of(request)
    session = request.cookies.get(cookies.session) or None
    me: Me | None = None
    dropped = False
    counting = None
    if session is not None and getattr(request.state, "identity_down", False) is False:
        counting = start_counting(request, clients, Caller(origin, session))
        try:
            me = await clients.identity.me(Caller(origin, session))
        except ApiError as exc:
            if counting is not None:
                counting.cancel()
            if exc.status != 401:
                request.state.identity_down = True
                raise
            clients.tokens.forget(session)
            session, dropped, counting = None, True, None
    language = i18n.choose(
        me.account.locale if me else None,
        request.cookies.get(cookies.language),
        request.query_params.get("lang"),
        i18n.negotiate(request.headers.get("accept-language")),
    )
    anonymous = request.cookies.get(cookies.anonymous) or ""
    fresh_anonymous = session is None and len(anonymous) < 20
    if fresh_anonymous:
        anonymous = secrets.token_urlsafe(24)
    binding = f"s:{session_key(session)}" if session else f"a:{anonymous}"
    visit = Visit(
        request=request,
        i18n=i18n.Translator(language, me.account.time_zone if me else None),
        caller=Caller(origin, session),
        me=me,
        csrf=csrf.token(binding),
        cookies=cookies,
        counting=counting,
    )
    if fresh_anonymous:
        visit.set_cookie(cookies.anonymous, anonymous, SESSION_SECONDS)
    if dropped:
        visit.clear_cookie(cookies.session)
    request.state.visit = visit
    request.state.csrf_binding = binding
    return visit
