"""The emails identity sends: which template, in which language, with which link.

The language is the recipient's account's, else the one asked for (an admin's choice for an
invitee, the page's for a sign-in link), else the workspace's default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from ensemble_identity.email.templates import Kind, Messages, duration
from ensemble_identity.models.accounts import Account
from ensemble_identity.models.links import Purpose
from ensemble_identity.models.roles import Locale
from ensemble_identity.services.links import Links
from ensemble_identity.services.mailer import Mailer

_TEMPLATE: dict[Purpose, Kind] = {
    "invitation": "invitation",
    "reset": "reset",
    "magic": "magic",
    "verify": "verify",
    "email_change": "email_change",
}


def language(*choices: Locale | None) -> Locale:
    """The first choice given; English when none is."""
    return next((c for c in choices if c is not None), "en")


class Letters:
    def __init__(self, links: Links, messages: Messages, mailer: Mailer) -> None:
        self._links = links
        self._messages = messages
        self._mailer = mailer

    async def send(
        self,
        purpose: Purpose,
        to: str,
        secret: str,
        *,
        lang: Locale,
        ttl: timedelta,
        name: str | None = None,
        workspace_name: str | None = None,
        inviter_name: str | None = None,
        roles: Sequence[str] = (),
        signup: bool = False,
    ) -> None:
        message = self._messages.render(
            _TEMPLATE[purpose],
            lang,
            link=self._links.url(purpose, secret),
            expires=duration(ttl, lang),
            email=to,
            name=name,
            workspace_name=workspace_name,
            inviter_name=inviter_name,
            roles=roles,
            signup=signup,
        )
        await self._mailer.send(to, message)

    async def email_change(self, account: Account, new_email: str, ttl: timedelta) -> None:
        """A link to the new address: following it proves the address and makes it the
        account's."""
        secret, _ = await self._links.issue("email_change", new_email, ttl, account_id=account.id)
        await self.send(
            "email_change", new_email, secret, lang=account.locale, ttl=ttl, name=account.name
        )

    async def email_changed(self, account: Account, old_email: str, forgot_url: str) -> None:
        """Tell the address an account left, with the way back if that was not its owner."""
        message = self._messages.render(
            "email_changed",
            account.locale,
            link=forgot_url,
            email=account.email,
            old_email=old_email,
            name=account.name,
            expires="",
        )
        await self._mailer.send(old_email, message)

    async def verification(self, account: Account, ttl: timedelta) -> None:
        """A link proving `account` owns its address (first-run admin, and on request)."""
        secret, _ = await self._links.issue("verify", account.email, ttl, account_id=account.id)
        await self.send(
            "verify", account.email, secret, lang=account.locale, ttl=ttl, name=account.name
        )
