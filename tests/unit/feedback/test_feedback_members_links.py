"""Signed member links (unsubscribe, email verification) and the per-workspace merge cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.models.merges import MergeEntry
from ensemble_feedback.services.links import VERIFY_EMAIL, BadLink, SignedLinks
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.merge_log import MergeLogRepository
from ensemble_shared.auth import Role
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.errors import Unauthenticated

SECRET = "s" * 40


def token_of(path: str) -> str:
    return parse_qs(urlsplit(path).query)["token"][0]


def test_an_unsubscribe_link_names_one_member_and_topic() -> None:
    links = SignedLinks(SECRET)
    path = links.unsubscribe_path("acme", "m-1", "status_changes")
    assert path.startswith("/unsubscribe?token=")
    assert links.read_unsubscribe(token_of(path)) == ("acme", "m-1", "status_changes")


def test_an_altered_unsubscribe_link_is_refused_as_forged() -> None:
    links = SignedLinks(SECRET)
    token = links.unsubscribe_token("acme", "m-1", "status_changes")
    header, _, signature = token.split(".")
    other = jwt.encode({"ws": "acme", "sub": "m-2", "topic": "status_changes"}, "x" * 32)
    forged_payload = other.split(".")[1]
    with pytest.raises(Unauthenticated, match="forged"):
        links.read_unsubscribe(f"{header}.{forged_payload}.{signature}")
    with pytest.raises(Unauthenticated, match="forged"):
        SignedLinks("t" * 40).read_unsubscribe(token)  # signed with another secret


def test_neither_a_bearer_token_nor_a_verification_link_unsubscribes() -> None:
    links = SignedLinks(SECRET)
    bearer = LocalIssuer().token("acme", Role.MEMBER, subject="m-1")
    with pytest.raises(Unauthenticated):
        links.read_unsubscribe(bearer)
    verification = token_of(links.verification_path("acme", "m-1", "ana@example.org"))
    with pytest.raises(Unauthenticated):
        links.read_unsubscribe(verification)
    with pytest.raises(BadLink):
        links.read_unsubscribe("not-a-token")


def test_a_verification_link_expires_and_names_the_address() -> None:
    links = SignedLinks(SECRET)
    token = token_of(links.verification_path("acme", "m-1", "Ana@Example.org"))
    assert links.read_verification(token) == ("acme", "m-1", "ana@example.org")
    expired = Capabilities(SECRET, VERIFY_EMAIL).sign(
        {"ws": "acme", "sub": "m-1", "email": "ana@example.org"},
        expires=datetime.now(UTC) - timedelta(seconds=1),
    )
    with pytest.raises(Unauthenticated, match="expired"):
        links.read_verification(expired)


class FakeLog(MergeLogRepository):
    def __init__(self) -> None:
        self.entries: list[MergeEntry] = []  # all of workspace "acme"
        self.reads = 0

    async def since(self, workspace: str, seq: int) -> list[MergeEntry]:
        self.reads += 1
        return [e for e in self.entries if e.seq > seq and workspace == "acme"]


def merge(seq: int, survivor: str, merged: str) -> MergeEntry:
    return MergeEntry(
        seq=seq,
        kind="merge",
        merge_id=f"m{seq}",
        survivor=survivor,
        merged=merged,
        by="maya",
        at=datetime.now(UTC),
    )


async def test_the_merge_cache_reads_the_log_at_most_once_per_ttl() -> None:
    log = FakeLog()
    now = [100.0]
    cache = MergeCache(log, ttl=1.0, clock=lambda: now[0])
    for _ in range(1000):
        assert (await cache.state("acme")).canonical("b") == "b"
    assert log.reads == 1
    log.entries.append(merge(1, "a", "b"))  # written by another replica
    now[0] += 0.5
    assert (await cache.state("acme")).canonical("b") == "b"  # still within the TTL
    now[0] += 0.6
    assert (await cache.state("acme")).canonical("b") == "a"
    assert log.reads == 2
    log.entries.append(merge(2, "a", "c"))
    assert (await cache.state("acme", fresh=True)).canonical("c") == "a"  # our own merge
    assert (await cache.state("globex")).canonical("c") == "c"  # workspaces apart
