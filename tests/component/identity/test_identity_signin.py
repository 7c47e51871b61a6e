"""Sign-in protection: generic answers, lockout per email and per address, rate limits, the
forwarded address believed only from trusted proxies; sessions listed, ended, ended everywhere."""

from __future__ import annotations

from collections.abc import Callable

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from support.identity import (
    ADMIN_EMAIL,
    PASSWORD,
    IdentityDriver,
    called_from,
    from_address,
    identity_settings,
    running_identity,
    session,
)
from support.notify_smtp import Mailbox


async def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    identity: IdentityDriver,
) -> None:
    await identity.setup()
    wrong = await identity.sign_in(ADMIN_EMAIL, "not-the-password-at-all")
    unknown = await identity.sign_in("nobody@acme.example", "not-the-password-at-all")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_an_email_locks_after_five_failures_even_for_the_right_password(
    identity: IdentityDriver,
) -> None:
    await identity.setup()
    for attempt in range(5):
        failed = await identity.sign_in(
            ADMIN_EMAIL, f"guess-number-{attempt}-xx", ip=f"203.0.113.{attempt}"
        )
        assert failed.status_code == 401, failed.text

    locked = await identity.sign_in(ADMIN_EMAIL, PASSWORD, ip="203.0.113.99")
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["retry-after"]) > 0
    # An address nobody registered locks the same way, so a lockout reveals nothing.
    for _ in range(5):
        await identity.sign_in("ghost@acme.example", "whatever-password-1")
    ghost = await identity.sign_in("ghost@acme.example", "whatever-password-1")
    assert ghost.status_code == 429
    assert ghost.json() == locked.json()


async def test_an_address_locks_after_twenty_failures_whatever_the_emails(
    identity: IdentityDriver,
) -> None:
    await identity.setup()
    for n in range(20):
        failed = await identity.sign_in(
            f"guess{n}@acme.example", "some-guessed-password", ip="192.0.2.66"
        )
        assert failed.status_code == 401, failed.text

    from_there = await identity.sign_in(ADMIN_EMAIL, PASSWORD, ip="192.0.2.66")
    from_elsewhere = await identity.sign_in(ADMIN_EMAIL, PASSWORD, ip="192.0.2.67")

    assert from_there.status_code == 429
    assert from_elsewhere.status_code == 201


async def test_forwarded_addresses_count_only_from_trusted_proxies(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = identity_settings(
        infra, unique_name("identity"), issuer, trusted_proxies=["10.0.0.1"]
    )
    guess = {"password": "some-guessed-password"}
    async with called_from(settings, "203.0.113.50") as stranger:
        for n in range(20):  # each claims another address; its own is what counts
            await stranger.post(
                "/sessions",
                json={"email": f"g{n}@acme.example", **guess},
                headers=from_address(f"192.0.2.{n}"),
            )
        locked = await stranger.post(
            "/sessions", json={"email": ADMIN_EMAIL, **guess}, headers=from_address("192.0.2.200")
        )
    async with called_from(settings, "10.0.0.1") as console:
        for n in range(20):  # the console's forwarded addresses are believed: 20 browsers
            await console.post(
                "/sessions",
                json={"email": f"g{n}@acme.example", **guess},
                headers=from_address(f"192.0.2.{n}"),
            )
        not_locked = await console.post(
            "/sessions", json={"email": ADMIN_EMAIL, **guess}, headers=from_address("192.0.2.200")
        )
    assert locked.status_code == 429
    assert not_locked.status_code == 401


async def test_sign_in_requests_are_rate_limited_per_address(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer, mailbox: Mailbox
) -> None:
    async with running_identity(
        infra, unique_name("identity"), issuer, mailbox, rate_limit_signin="3/minute"
    ) as identity:
        await identity.setup()
        answers = [
            (await identity.sign_in(ADMIN_EMAIL, ip="192.0.2.9")).status_code for _ in range(4)
        ]
        other = await identity.sign_in(ADMIN_EMAIL, ip="192.0.2.10")
    assert answers == [201, 201, 201, 429]
    assert other.status_code == 201


async def test_sessions_are_listed_ended_one_by_one_and_everywhere(
    identity: IdentityDriver,
) -> None:
    first = await identity.setup()
    laptop = (await identity.sign_in(ADMIN_EMAIL, ip="198.51.100.20")).json()
    phone = (await identity.sign_in(ADMIN_EMAIL, ip="198.51.100.21")).json()

    listed = (
        await identity.http.get("/me/sessions", headers=session(phone["session_token"]))
    ).json()
    assert len(listed) == 3
    (current,) = [s for s in listed if s["current"]]
    assert current["ip"] == "198.51.100.21"
    assert current["user_agent"] == "Mozilla/5.0 (test browser)"

    ended = await identity.http.delete(
        f"/me/sessions/{laptop['session_id']}", headers=session(phone["session_token"])
    )
    assert ended.status_code == 204
    assert (
        await identity.http.get("/me", headers=session(laptop["session_token"]))
    ).status_code == 401

    signed_out = await identity.http.delete(
        "/sessions/current", headers=session(phone["session_token"])
    )
    assert signed_out.status_code == 204
    assert (
        await identity.http.get("/me", headers=session(phone["session_token"]))
    ).status_code == 401

    again = (await identity.sign_in(ADMIN_EMAIL)).json()["session_token"]
    everywhere = await identity.http.delete("/me/sessions", headers=session(again))
    assert everywhere.json() == {"sessions_ended": 2}
    for token in (first, again):
        assert (await identity.http.get("/me", headers=session(token))).status_code == 401


async def test_session_tokens_are_stored_only_as_digests(identity: IdentityDriver) -> None:
    token = await identity.setup()
    async with identity.store() as store:
        documents = await store["sessions"].find({}).to_list(None)
    assert len(documents) == 1
    assert token not in str(documents)
