"""The console's cookies: names, and how each is set.

All are HttpOnly and SameSite=Lax (sent on top-level navigation, so emailed links work, never
on cross-site POSTs). Over TLS they are also Secure and carry the `__Host-` prefix, which
browsers honour only for a Secure, host-only, Path=/ cookie: a sibling subdomain cannot plant
or shadow them.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

SESSION_SECONDS = 30 * 24 * 3600  # identity ends sessions itself; the cookie just outlives them
PREFERENCE_SECONDS = 365 * 24 * 3600
STATE_SECONDS = 600
LINK_SECONDS = 15 * 60  # identity's magic links last 15 minutes


@dataclass(frozen=True)
class Cookies:
    secure: bool

    def _name(self, base: str) -> str:
        return f"__Host-{base}" if self.secure else base

    @property
    def session(self) -> str:
        """Identity's session token (`ens_s_…`): the browser's whole sign-in."""
        return self._name("ens_session")

    @property
    def anonymous(self) -> str:
        """A random value binding CSRF tokens before sign-in (sign-in, links, decisions)."""
        return self._name("ens_anon")

    @property
    def language(self) -> str:
        """The language chosen with the switcher before signing in."""
        return self._name("ens_lang")

    @property
    def oidc_state(self) -> str:
        """The OIDC `state` of a sign-in under way: the callback must come to this browser."""
        return self._name("ens_oidc")

    @property
    def oauth_state(self) -> str:
        """`workspace:state` of an account connection under way (the OAuth callback must
        come back to the browser that started it)."""
        return self._name("ens_oauth")

    @property
    def back_after_link(self) -> str:
        """The community portal page a member asked a sign-in link from: the link's page
        brings them back there (in this browser; elsewhere they land on their account)."""
        return self._name("ens_back")

    def set(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response, name: str) -> None:
        response.delete_cookie(name, path="/", secure=self.secure, httponly=True, samesite="lax")
