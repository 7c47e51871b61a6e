"""Signing keys and their schedule: which key signs now, which are published, when to rotate.

Keys form generations (1, 2, 3, ...; a unique index, so two replicas that rotate at once
create one key). A new generation is published `ahead` before it starts signing, so verifiers
caching the JWKS already hold it; an older one stays published until every token it can have
signed has expired: the next generation's start + the token lifetime + leeway. A revoked key
(compromised) is unpublished at once and never signs again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from ensemble_shared.storage import Document


class SigningKey(BaseModel):
    kid: str
    generation: int
    created_at: datetime
    signs_from: datetime
    revoked_at: datetime | None = None
    public_jwk: dict[str, Any]
    private_key: str  # Fernet token of the raw private key bytes

    def document(self) -> Document:
        """Stored under its generation: the `_id` decides which of two concurrent rotations
        creates the next key."""
        return {"_id": self.generation, **self.model_dump()}

    @classmethod
    def of(cls, document: Document) -> SigningKey:
        return cls.model_validate(document)


@dataclass(frozen=True)
class Schedule:
    rotation: timedelta
    ahead: timedelta
    token_lifetime: timedelta
    leeway: timedelta = timedelta(seconds=60)


def retires_at(key: SigningKey, keys: Sequence[SigningKey], schedule: Schedule) -> datetime | None:
    """When the last token `key` may have signed expires; None while no successor exists."""
    successors = [k.signs_from for k in keys if k.generation > key.generation]
    if not successors:
        return None
    stopped = max(key.signs_from, min(successors))
    return stopped + schedule.token_lifetime + schedule.leeway


def _retired(key: SigningKey, keys: Sequence[SigningKey], now: datetime, s: Schedule) -> bool:
    ends = retires_at(key, keys, s)
    return ends is not None and ends <= now


def published(keys: Sequence[SigningKey], now: datetime, schedule: Schedule) -> list[SigningKey]:
    """The keys in the JWKS: not revoked and not retired, newest first."""
    live = [k for k in keys if k.revoked_at is None and not _retired(k, keys, now, schedule)]
    return sorted(live, key=lambda k: k.generation, reverse=True)


def signer(keys: Sequence[SigningKey], now: datetime, schedule: Schedule) -> SigningKey | None:
    """The newest published key whose time to sign has come."""
    started = [k for k in published(keys, now, schedule) if k.signs_from <= now]
    return started[0] if started else None


def next_start(keys: Sequence[SigningKey], now: datetime, schedule: Schedule) -> datetime | None:
    """When a new generation should start signing, if one is due now; else None.

    With no usable signer (first start, or the newest key revoked) a key is needed at once;
    otherwise the next one is created `ahead` of the rotation date and starts on that date.
    """
    newest = max(keys, key=lambda k: k.generation, default=None)
    if newest is None or newest.revoked_at is not None or signer(keys, now, schedule) is None:
        return now
    rotates = newest.signs_from + schedule.rotation
    if rotates - schedule.ahead <= now:
        return max(rotates, now + schedule.ahead) if newest.signs_from <= now else None
    return None
