"""Emailed links: issued with a purpose and an expiry, opened (read, any number of times),
spent (once). The page paths they point at are the console's, on ENSEMBLE_PUBLIC_URL."""

from __future__ import annotations

from datetime import datetime, timedelta

from ensemble_identity.exceptions import Gone
from ensemble_identity.models.links import PAGE_PATHS, Link, LinkStatus, Purpose
from ensemble_identity.models.opaque import Kind, digest, new_secret
from ensemble_identity.storage import LinkRepository, SpentSecrets
from ensemble_shared.errors import NotFound
from ensemble_shared.events import utcnow

_SECRET_KIND: dict[Purpose, Kind] = {
    "invitation": "invitation",
    "reset": "reset",
    "magic": "magic",
    "verify": "verify",
    "email_change": "verify",
}
RETENTION = timedelta(days=30)
_WHAT = {
    "invitation": "invitation",
    "reset": "password reset link",
    "magic": "sign-in link",
    "verify": "verification link",
    "email_change": "address change link",
}


class Links:
    def __init__(self, links: LinkRepository, spent: SpentSecrets, public_url: str) -> None:
        self._links = links
        self._spent = spent
        self._public_url = public_url.rstrip("/")

    async def issue(
        self, purpose: Purpose, email: str, ttl: timedelta, **fields: object
    ) -> tuple[str, Link]:
        """A new secret for `purpose` and its stored link (the secret itself is not stored)."""
        secret = new_secret(_SECRET_KIND[purpose])
        now = utcnow()
        link = Link.model_validate(
            {
                "digest": digest(secret),
                "purpose": purpose,
                "email": email,
                "created_at": now,
                "expires_at": now + ttl,
                **fields,
            }
        )
        await self._links.insert(link)
        return secret, link

    def home(self) -> str:
        """The console's first page (where a notice without a secret points)."""
        return self._public_url + "/"

    def url(self, purpose: Purpose, secret: str) -> str:
        return self._public_url + PAGE_PATHS[purpose].format(token=secret)

    async def open(self, purpose: Purpose, secret: str) -> Link:
        """The link behind `secret` if it may still be used: 404 unknown, 410 used/expired."""
        link = await self._links.get(digest(secret))
        if link is None or link.purpose != purpose:
            raise NotFound(f"no such {_WHAT[purpose]}")
        outcome = await self._spent.outcome(link.digest)
        if outcome is not None:
            if outcome == "revoked":
                raise Gone(f"this {_WHAT[purpose]} was revoked", reason="revoked")
            raise Gone(f"this {_WHAT[purpose]} was already used", reason="used")
        if link.expires_at <= utcnow():
            raise Gone(f"this {_WHAT[purpose]} has expired", reason="expired")
        return link

    async def status(self, purpose: Purpose, secret: str) -> LinkStatus:
        """What a link page shows before the person acts; reading it spends nothing."""
        link = await self.open(purpose, secret)
        return LinkStatus(
            purpose=purpose, email=link.email, workspace=link.workspace, expires_at=link.expires_at
        )

    async def spend(self, link: Link) -> None:
        """Use it up; of two concurrent uses the second gets 410."""
        if not await self._spent.spend(link.digest):
            raise Gone(f"this {_WHAT[link.purpose]} was already used", reason="used")

    async def revoke(self, link_digest: str) -> bool:
        return await self._spent.spend(link_digest, "revoked")

    async def states(self, digests: list[str]) -> dict[str, str]:
        return await self._spent.outcomes(digests)

    async def purge(self, *, longest_ttl: timedelta, now: datetime | None = None) -> int:
        """Forget links a month after they expired, and use records once no link they could
        guard is left (a use record outlives its link: it is what makes the link spent)."""
        now = now or utcnow()
        purged = await self._links.purge(now - RETENTION)
        return purged + await self._spent.purge(now - RETENTION - longest_ttl)
