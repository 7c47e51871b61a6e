"""Identity and notify read the same SMTP_* settings into the same connection parameters."""

from __future__ import annotations

import pytest

from ensemble_identity.config import IdentitySettings
from ensemble_notify.config import NotifySettings
from ensemble_shared.smtp import SmtpFields


@pytest.mark.parametrize(
    ("security", "start_tls", "use_tls"),
    [
        ("auto", None, False),
        ("starttls", True, False),
        ("tls", False, True),
        ("none", False, False),
    ],
)
def test_security_maps_to_the_connection_mode(
    security: str, start_tls: bool | None, use_tls: bool
) -> None:
    server = SmtpFields.model_validate({"smtp_security": security}).smtp_server()
    assert (server.start_tls, server.use_tls) == (start_tls, use_tls)


def test_each_service_reads_its_own_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SECRET_KEY", "s" * 32)
    monkeypatch.setenv("NOTIFY_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("NOTIFY_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("IDENTITY_SMTP_PORT", "2525")
    notify = NotifySettings().smtp_server()
    identity = IdentitySettings(key_encryption_key="k").smtp_server()
    assert (notify.hostname, notify.password, notify.timeout) == (
        "mail.example.org",
        "s3cret",
        30.0,
    )
    assert (identity.hostname, identity.port, identity.timeout) == ("localhost", 2525, 15.0)


def test_blank_credentials_mean_no_login() -> None:
    server = SmtpFields.model_validate({"smtp_username": "", "smtp_password": " "}).smtp_server()
    assert (server.username, server.password) == (None, None)
