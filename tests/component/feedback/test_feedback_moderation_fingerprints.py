"""Posting fingerprints on the real store: a repeat is seen within the window, and the purge
(FerretDB has no TTL indexes) removes old ones."""

from __future__ import annotations

from datetime import timedelta

from ensemble_feedback.storage.postings import PostingRepository
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database


async def test_posting_fingerprints_see_a_repeat_until_purged(database: Database) -> None:
    repository = PostingRepository(database)
    assert await repository.posted("acme", "m1", "fp", [10, 9]) is False
    assert await repository.posted("acme", "m1", "fp", [10, 9]) is True  # same bucket
    assert await repository.posted("acme", "m1", "fp", [11, 10]) is True  # the next one
    assert await repository.posted("acme", "m2", "fp", [11, 10]) is False  # another member
    assert await repository.forget_postings(utcnow() - timedelta(hours=1)) == 0
    assert await repository.forget_postings(utcnow() + timedelta(seconds=1)) == 3
    assert await repository.posted("acme", "m1", "fp", [11, 10]) is False
