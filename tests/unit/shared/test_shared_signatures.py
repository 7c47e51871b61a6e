"""Standard Webhooks signing and verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ensemble_shared.signatures import SignatureError, new_secret, sign, verify

BODY = b'{"type":"mention.created"}'


def headers(secret: str, *, when: datetime | None = None, body: bytes = BODY) -> dict[str, str]:
    return sign([secret], message_id="msg_1", timestamp=when or datetime.now(UTC), body=body)


def test_a_signed_body_verifies_and_gives_its_message_id() -> None:
    secret = new_secret()
    assert verify([secret], headers(secret), BODY) == "msg_1"


def test_another_secret_is_a_forgery() -> None:
    with pytest.raises(SignatureError, match="no matching signature"):
        verify([new_secret()], headers(new_secret()), BODY)


def test_a_changed_body_does_not_verify() -> None:
    secret = new_secret()
    with pytest.raises(SignatureError):
        verify([secret], headers(secret), BODY.replace(b"created", b"deleted"))


@pytest.mark.parametrize("shift", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_timestamps_outside_five_minutes_are_refused(shift: timedelta) -> None:
    secret = new_secret()
    with pytest.raises(SignatureError, match=r"too (old|new)"):
        verify([secret], headers(secret, when=datetime.now(UTC) + shift), BODY)


def test_missing_headers_are_named() -> None:
    secret = new_secret()
    signed = headers(secret)
    del signed["webhook-timestamp"]
    with pytest.raises(SignatureError, match="missing"):
        verify([secret], signed, BODY)


@pytest.mark.parametrize("value", ["garbage", "v1,%%%", "v1"])
def test_malformed_signature_headers_are_refused_not_crashed_on(value: str) -> None:
    secret = new_secret()
    with pytest.raises(SignatureError):
        verify([secret], {**headers(secret), "webhook-signature": value}, BODY)


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = new_secret(), new_secret()
    both = sign([old, new], message_id="m", timestamp=datetime.now(UTC), body=BODY)
    assert verify([old], both, BODY) == "m"
    assert verify([new], both, BODY) == "m"
    assert verify([old, new], headers(old), BODY) == "msg_1"


def test_header_names_are_case_insensitive() -> None:
    secret = new_secret()
    upper = {k.upper(): v for k, v in headers(secret).items()}
    assert verify([secret], upper, BODY) == "msg_1"


def test_a_body_that_is_not_text_is_refused() -> None:
    secret = new_secret()
    with pytest.raises(SignatureError, match="UTF-8"):
        verify([secret], headers(secret), b"\xff\xfe")
