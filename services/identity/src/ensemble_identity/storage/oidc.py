"""Started OpenID Connect sign-ins (state, nonce, PKCE verifier) and linked identities."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, Document, DuplicateKeyError

OIDC_STATES = "oidc_states"
OIDC_LINKS = "oidc_links"


class OidcRepository:
    def __init__(self, states: Collection, links: Collection) -> None:
        self.states = states
        self.links = links

    async def save_state(self, state_digest: str, fields: dict[str, Any]) -> None:
        await self.states.insert_one({"_id": state_digest, **fields})

    async def state(self, state_digest: str) -> Document | None:
        return await self.states.find_one({"_id": state_digest})

    async def purge(self, expired_before: datetime) -> int:
        result = await self.states.delete_many({"expires_at": {"$lt": expired_before}})
        return int(result.deleted_count)

    async def linked(self, provider: str, subject: str) -> str | None:
        found = await self.links.find_one({"_id": f"{provider}:{subject}"})
        return str(found["account_id"]) if found else None

    async def link(self, provider: str, subject: str, account_id: str, email: str) -> None:
        with contextlib.suppress(DuplicateKeyError):  # a concurrent sign-in linked it first
            await self.links.insert_one(
                {
                    "_id": f"{provider}:{subject}",
                    "account_id": account_id,
                    "email": email,
                    "at": utcnow(),
                }
            )
