"""A member's handle is linked only once proven: the member asks for a code, posts it from that
handle in a message the workspace's sources collect, and the mention ingest announces links it.
Anyone can type someone else's handle; only its owner can post from it.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from ensemble_feedback.models.members import IdentityClaim, handle_key
from ensemble_feedback.services.identities import IdentityService
from ensemble_feedback.storage.handle_claims import HandleClaimRepository, PendingClaim
from ensemble_shared.errors import EnsembleError
from ensemble_shared.events import MentionReceivedV1, utcnow

log = logging.getLogger(__name__)

CLAIM_TTL = timedelta(hours=24)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud, typed on a phone
_CODE = re.compile(r"\bens-([a-z2-9]{10})\b", re.IGNORECASE)


def new_code() -> str:
    return "ens-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def codes_in(text: str) -> list[str]:
    return [f"ens-{found.lower()}" for found in _CODE.findall(text)]


class HandleProofs:
    def __init__(self, identities: IdentityService, claims: HandleClaimRepository) -> None:
        self._identities = identities
        self._claims = claims

    async def claim(
        self, workspace: str, member_id: str, platform: str, handle: str
    ) -> IdentityClaim:
        """A code to post from `handle`; refused at once when the link could never be made."""
        await self._identities.check_linkable(workspace, member_id, platform, handle)
        now = utcnow()
        claim = PendingClaim(
            workspace=workspace,
            member_id=member_id,
            platform=platform,
            handle=handle.strip(),
            code=new_code(),
            expires_at=now + CLAIM_TTL,
        )
        await self._claims.add(claim)
        return IdentityClaim.model_validate(claim.model_dump())

    async def forget_expired(self) -> int:
        """Claims past their day open nothing (`on_mentions` checks the time): dropping them is
        housekeeping, done by a periodic loop rather than on every claim."""
        return await self._claims.expired(utcnow())

    async def on_mentions(self, events: Sequence[MentionReceivedV1]) -> None:
        """Link the handles whose code arrived from that very handle; anything else is
        ignored (a code posted by someone else proves nothing and spends nothing)."""
        for event in events:
            mention = event.data
            for code in codes_in(mention.text):
                claim = await self._claims.get(code)
                if claim is None or claim.workspace != event.workspace:
                    continue
                if claim.expires_at < event.time or claim.platform != mention.platform:
                    continue
                if handle_key(claim.platform, claim.handle) != handle_key(
                    mention.platform, mention.author.handle
                ):
                    continue
                try:
                    await self._identities.link(
                        claim.workspace, claim.member_id, claim.platform, claim.handle
                    )
                except EnsembleError as refused:  # taken meanwhile, member gone: nothing to do
                    log.info("handle proof %s not linked: %s", mention.mention_id, refused)
                await self._claims.settle(code)
