"""Parsing the OAuth 2 client-credentials request (RFC 6749 §4.4, §2.3.1, §5.2)."""

from __future__ import annotations

import base64

import pytest

from ensemble_identity.exceptions import OAuthError
from ensemble_identity.handlers.oauth import parse

FORM = "application/x-www-form-urlencoded"


def basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


def test_basic_credentials_are_form_decoded() -> None:
    assert parse(FORM, b"grant_type=client_credentials&scope=viewer", basic("key_1:a%2Bb")) == (
        "key_1",
        "a+b",
        "viewer",
    )


def test_credentials_in_the_form_work_too() -> None:
    body = b"grant_type=client_credentials&client_id=key_1&client_secret=s"
    assert parse(f"{FORM}; charset=utf-8", body, None) == ("key_1", "s", None)


@pytest.mark.parametrize(
    ("content_type", "body", "authorization", "error"),
    [
        ("application/json", b"{}", None, "invalid_request"),
        (FORM, b"", None, "invalid_request"),
        (FORM, b"grant_type=authorization_code", None, "unsupported_grant_type"),
        (FORM, b"grant_type=client_credentials&scope=a&scope=b", None, "invalid_request"),
        (
            FORM,
            b"grant_type=client_credentials&client_id=k&client_secret=s",
            basic("k:s"),
            "invalid_request",
        ),
        (FORM, b"grant_type=client_credentials", None, "invalid_client"),
        (FORM, b"grant_type=client_credentials", "Basic !!!", "invalid_client"),
    ],
)
def test_malformed_requests_get_the_rfc_error(
    content_type: str, body: bytes, authorization: str | None, error: str
) -> None:
    with pytest.raises(OAuthError) as raised:
        parse(content_type, body, authorization)
    assert raised.value.error == error
