"""Getting in by email: password reset links and magic sign-in links.

Asking for a link always answers the same (202), whether or not the address has an account,
so the form cannot be used to find out who is registered; the rate limits count per address
asked for, existing or not. A magic link signs a community member in (or up, when the
workspace lets anyone join); staff places are not reachable from a magic-link session.
"""

from __future__ import annotations

from datetime import timedelta

from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.links import MagicLinkRequest, ResetPassword, ResetRequest
from ensemble_identity.models.roles import MEMBER
from ensemble_identity.models.sessions import SessionOpened
from ensemble_identity.services.audit import Audit
from ensemble_identity.services.letters import Letters, language
from ensemble_identity.services.links import Links
from ensemble_identity.services.passwords import Passwords
from ensemble_identity.services.people import People
from ensemble_identity.services.sessions import Sessions
from ensemble_identity.services.throttle import Throttle
from ensemble_identity.storage import WorkspaceRepository
from ensemble_shared.errors import Conflict, NotFound


class Recovery:
    def __init__(
        self,
        people: People,
        workspaces: WorkspaceRepository,
        passwords: Passwords,
        sessions: Sessions,
        links: Links,
        letters: Letters,
        throttle: Throttle,
        audit: Audit,
        *,
        reset_ttl: timedelta,
        magic_ttl: timedelta,
    ) -> None:
        self._people = people
        self._workspaces = workspaces
        self._passwords = passwords
        self._sessions = sessions
        self._links = links
        self._letters = letters
        self._throttle = throttle
        self._audit = audit
        self._reset_ttl = reset_ttl
        self._magic_ttl = magic_ttl

    async def request_reset(self, request: ResetRequest, origin: Origin) -> None:
        await self._throttle.email_request(request.email, origin.ip)
        account = await self._people.by_email(request.email)
        if account is None:
            return
        secret, _ = await self._links.issue(
            "reset", account.email, self._reset_ttl, account_id=account.id
        )
        await self._letters.send(
            "reset",
            account.email,
            secret,
            lang=language(account.locale),
            ttl=self._reset_ttl,
            name=account.name,
        )

    async def reset(self, request: ResetPassword, origin: Origin) -> None:
        """Set the new password and end every session of the account."""
        link = await self._links.open("reset", request.token)
        account = await self._people.account(link.account_id or "")
        if account is None or account.email != link.email:
            raise Conflict("this link is for an address the account no longer has")
        self._passwords.check_policy(request.new_password, email=account.email)
        hashed = await self._passwords.hash(request.new_password)
        await self._links.spend(link)
        # Following the link proved the address, too.
        await self._people.update(account, {"password_hash": hashed, "email_verified": True})
        ended = await self._sessions.end_all(account.id)
        await self._throttle.succeeded(account.email)
        await self._audit.record(
            None,
            Actor.account(account.id),
            origin,
            "password.reset",
            account.id,
            sessions_ended=ended,
        )

    async def request_magic_link(self, request: MagicLinkRequest, origin: Origin) -> None:
        await self._throttle.email_request(request.email, origin.ip)
        workspace = await self._workspaces.get(request.workspace)
        if workspace is None:
            raise NotFound("no such workspace")
        account = await self._people.by_email(request.email)
        place = await self._people.memberships.get(workspace.id, account.id) if account else None
        if place is not None and place.kind != "member":
            return  # staff sign in with their password (or provider)
        if place is None and not workspace.member_signup:
            return
        secret, _ = await self._links.issue(
            "magic",
            request.email,
            self._magic_ttl,
            account_id=account.id if account else None,
            workspace=workspace.id,
            name=request.name,
            locale=request.locale,
        )
        await self._letters.send(
            "magic",
            request.email,
            secret,
            lang=language(
                account.locale if account else None, request.locale, workspace.default_locale
            ),
            ttl=self._magic_ttl,
            name=account.name if account else request.name,
            workspace_name=workspace.name,
            signup=place is None,
        )

    async def magic_sign_in(self, secret: str, origin: Origin) -> SessionOpened:
        """Spend the link; the account and its member place are created on first use."""
        link = await self._links.open("magic", secret)
        workspace = await self._workspaces.get(link.workspace or "")
        if workspace is None:
            raise NotFound("no such workspace")
        await self._links.spend(link)
        account = await self._people.by_email(link.email)
        if account is None:
            account = await self._people.register(
                email=link.email,
                name=link.name or link.email.split("@")[0],
                locale=language(link.locale, workspace.default_locale),
                workspace=workspace.id,
                via="magic_link",
                verified=True,
            )
        elif not account.email_verified:
            account = await self._people.update(account, {"email_verified": True})
        if await self._people.memberships.get(workspace.id, account.id) is None:
            if not workspace.member_signup:
                raise NotFound("no such workspace")
            await self._people.join(
                workspace.id, account, [MEMBER], [], actor=Actor.account(account.id), origin=origin
            )
        return await self._sessions.open(account, "magic_link", origin)
