"""Handle claims on the real store: the hourly purge drops only the claims past their day."""

from __future__ import annotations

from datetime import timedelta

from ensemble_feedback.services.handle_proofs import CLAIM_TTL, new_code
from ensemble_feedback.storage.handle_claims import HandleClaimRepository, PendingClaim
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database


def claim(handle: str, age: timedelta) -> PendingClaim:
    return PendingClaim(
        workspace="acme",
        member_id="m1",
        platform="mastodon",
        handle=handle,
        code=new_code(),
        expires_at=utcnow() - age + CLAIM_TTL,
    )


async def test_the_purge_drops_expired_claims_and_keeps_the_pending_ones(
    database: Database,
) -> None:
    claims = HandleClaimRepository(database)
    old, fresh = (
        claim("@old@social.example", timedelta(days=2)),
        claim("@new@social.example", timedelta(hours=1)),
    )
    await claims.add(old)
    await claims.add(fresh)

    assert await claims.expired(utcnow()) == 1
    assert await claims.get(old.code) is None
    kept = await claims.get(fresh.code)
    assert kept is not None
    assert kept.handle == fresh.handle
