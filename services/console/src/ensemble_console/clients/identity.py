"""Identity's API: sign-in, the person's own account, a workspace's people (README routes)."""

from __future__ import annotations

from typing import Any

from ensemble_console.clients.base import Caller, Origin, ServiceClient, WorkspaceClient
from ensemble_console.models.identity import (
    AccessToken,
    Account,
    ApiKey,
    ApiKeyCreated,
    AuditPage,
    Invitation,
    InvitationAccepted,
    InvitationPreview,
    LinkStatus,
    Me,
    Member,
    OidcStarted,
    Provider,
    SessionOpened,
    SessionView,
    SetupStatus,
    Team,
    WorkspaceSettings,
)


class IdentityClient(ServiceClient):
    service = "identity"

    # --- before sign-in -------------------------------------------------------------------

    async def setup_status(self) -> SetupStatus:
        return self.parse(SetupStatus, await self.call("GET", "/setup"))

    async def setup(
        self, origin: Origin, body: dict[str, Any], setup_token: str | None = None
    ) -> SessionOpened:
        headers = {"x-setup-token": setup_token} if setup_token else None
        answer = await self.call("POST", "/setup", origin=origin, json=body, headers=headers)
        return self.parse(SessionOpened, answer)

    async def sign_in(self, origin: Origin, email: str, password: str) -> SessionOpened:
        body = {"email": email, "password": password}
        return self.parse(
            SessionOpened, await self.call("POST", "/sessions", origin=origin, json=body)
        )

    async def providers(self) -> list[Provider]:
        return self.parse_list(Provider, await self.call("GET", "/oidc/providers"))

    async def oidc_start(self, origin: Origin, provider: str) -> OidcStarted:
        answer = await self.call("POST", f"/oidc/{provider}/start", origin=origin)
        return self.parse(OidcStarted, answer)

    async def oidc_complete(self, origin: Origin, state: str, code: str) -> SessionOpened:
        body = {"state": state, "code": code}
        answer = await self.call("POST", "/oidc/complete", origin=origin, json=body)
        return self.parse(SessionOpened, answer)

    async def request_reset(self, origin: Origin, email: str, locale: str) -> None:
        body = {"email": email, "locale": locale}
        await self.call("POST", "/password-resets", origin=origin, json=body)

    async def link_status(self, kind: str, token: str) -> LinkStatus:
        """`kind`: password-resets or magic-links; reading a link spends nothing."""
        answer = await self.call("POST", f"/{kind}/lookup", json={"token": token})
        return self.parse(LinkStatus, answer)

    async def reset_password(self, origin: Origin, token: str, password: str) -> None:
        body = {"token": token, "new_password": password}
        await self.call("POST", "/password-resets/consume", origin=origin, json=body)

    async def request_magic_link(self, origin: Origin, body: dict[str, Any]) -> None:
        """`{email, workspace, locale}`: identity emails a sign-in (or sign-up) link to a
        community member; 202 whether or not the address has an account."""
        await self.call("POST", "/magic-links", origin=origin, json=body)

    async def magic_sign_in(self, origin: Origin, token: str) -> SessionOpened:
        answer = await self.call(
            "POST", "/magic-links/consume", origin=origin, json={"token": token}
        )
        return self.parse(SessionOpened, answer)

    async def email_change(self, token: str) -> LinkStatus:
        """An address change link, for its page (reading spends nothing)."""
        answer = await self.call("POST", "/email-changes/lookup", json={"token": token})
        return self.parse(LinkStatus, answer)

    async def change_email(self, origin: Origin, token: str) -> Account:
        answer = await self.call(
            "POST", "/email-changes/consume", origin=origin, json={"token": token}
        )
        return self.parse(Account, answer)

    async def verify_email(self, token: str) -> Account:
        answer = await self.call("POST", "/email-verifications/consume", json={"token": token})
        return self.parse(Account, answer)

    async def invitation(self, token: str) -> InvitationPreview:
        answer = await self.call("POST", "/invitations/lookup", json={"token": token})
        return self.parse(InvitationPreview, answer)

    async def accept_invitation(self, origin: Origin, body: dict[str, Any]) -> InvitationAccepted:
        answer = await self.call("POST", "/invitations/accept", origin=origin, json=body)
        return self.parse(InvitationAccepted, answer)

    # --- the signed-in person (session token) ---------------------------------------------

    async def me(self, caller: Caller) -> Me:
        return self.parse(Me, await self._own(caller, "GET", "/me"))

    async def update_me(self, caller: Caller, changes: dict[str, Any]) -> Account:
        return self.parse(Account, await self._own(caller, "PATCH", "/me", json=changes))

    async def change_password(self, caller: Caller, current: str | None, new: str) -> int:
        body = {"current_password": current, "new_password": new}
        answer = await self._own(caller, "PUT", "/me/password", json=body)
        return int(answer["sessions_ended"])

    async def request_verification(self, caller: Caller) -> None:
        await self._own(caller, "POST", "/me/email-verification")

    async def request_email_change(self, caller: Caller, email: str, current: str | None) -> None:
        body = {"email": email, "current_password": current}
        await self._own(caller, "POST", "/me/email-change", json=body)

    async def sessions(self, caller: Caller) -> list[SessionView]:
        return self.parse_list(SessionView, await self._own(caller, "GET", "/me/sessions"))

    async def end_session(self, caller: Caller, session_id: str) -> None:
        await self._own(caller, "DELETE", f"/me/sessions/{session_id}")

    async def end_all_sessions(self, caller: Caller) -> int:
        return int((await self._own(caller, "DELETE", "/me/sessions"))["sessions_ended"])

    async def sign_out(self, caller: Caller) -> None:
        await self._own(caller, "DELETE", "/sessions/current")

    async def mint(self, session: str, workspace: str) -> AccessToken:
        """A fresh access token (callers go through `AccessTokens`, which caches them)."""
        answer = await self.call(
            "POST", "/access-tokens", credential=session, json={"workspace": workspace}
        )
        return self.parse(AccessToken, answer)

    async def _own(self, caller: Caller, method: str, path: str, json: Any = None) -> Any:
        return await self.call(
            method, path, origin=caller.origin, credential=caller.session, json=json
        )


class WorkspaceIdentity(WorkspaceClient):
    """Identity's workspace routes, called with the person's access token for that workspace."""

    service = "identity"

    async def _as(
        self,
        caller: Caller,
        workspace: str,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        path = f"/workspaces/{workspace}{path}"
        return await self.as_person(caller, workspace, method, path, json=json, params=params)

    async def workspace(self, caller: Caller, workspace: str) -> WorkspaceSettings:
        return self.parse(WorkspaceSettings, await self._as(caller, workspace, "GET"))

    async def update_workspace(
        self, caller: Caller, workspace: str, body: dict[str, Any]
    ) -> WorkspaceSettings:
        """Admins; `name`, `default_locale`, `member_signup` (422 with the field at fault)."""
        answer = await self._as(caller, workspace, "PATCH", json=body)
        return self.parse(WorkspaceSettings, answer)

    async def members(self, caller: Caller, workspace: str) -> list[Member]:
        return self.parse_list(Member, await self._as(caller, workspace, "GET", "/members"))

    async def member(self, caller: Caller, workspace: str, account_id: str) -> Member:
        answer = await self._as(caller, workspace, "GET", f"/members/{account_id}")
        return self.parse(Member, answer)

    async def update_member(
        self, caller: Caller, workspace: str, account_id: str, roles: list[str], teams: list[str]
    ) -> Member:
        body = {"roles": roles, "teams": teams}
        answer = await self._as(caller, workspace, "PATCH", f"/members/{account_id}", json=body)
        return self.parse(Member, answer)

    async def remove_member(self, caller: Caller, workspace: str, account_id: str) -> None:
        await self._as(caller, workspace, "DELETE", f"/members/{account_id}")

    async def teams(self, caller: Caller, workspace: str) -> list[Team]:
        return self.parse_list(Team, await self._as(caller, workspace, "GET", "/teams"))

    async def invite(self, caller: Caller, workspace: str, body: dict[str, Any]) -> Invitation:
        answer = await self._as(caller, workspace, "POST", "/invitations", json=body)
        return self.parse(Invitation, answer)

    async def invitations(self, caller: Caller, workspace: str) -> list[Invitation]:
        answer = await self._as(caller, workspace, "GET", "/invitations")
        return self.parse_list(Invitation, answer)

    async def revoke_invitation(self, caller: Caller, workspace: str, invitation: str) -> None:
        await self._as(caller, workspace, "DELETE", f"/invitations/{invitation}")

    async def api_keys(self, caller: Caller, workspace: str) -> list[ApiKey]:
        return self.parse_list(ApiKey, await self._as(caller, workspace, "GET", "/api-keys"))

    async def create_api_key(
        self, caller: Caller, workspace: str, name: str, roles: list[str]
    ) -> ApiKeyCreated:
        body = {"name": name, "roles": roles}
        answer = await self._as(caller, workspace, "POST", "/api-keys", json=body)
        return self.parse(ApiKeyCreated, answer)

    async def revoke_api_key(self, caller: Caller, workspace: str, key_id: str) -> None:
        await self._as(caller, workspace, "DELETE", f"/api-keys/{key_id}")

    async def audit(
        self, caller: Caller, workspace: str, cursor: str | None, limit: int = 50
    ) -> AuditPage:
        params = {"cursor": cursor, "limit": limit}
        answer = await self._as(caller, workspace, "GET", "/audit", params=params)
        return self.parse(AuditPage, answer)
