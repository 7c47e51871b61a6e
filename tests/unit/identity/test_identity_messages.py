"""Identity's emails in both languages: subject, text and HTML, the link in each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ensemble_identity.email.templates import Messages, duration


@pytest.mark.parametrize("kind", ["invitation", "reset", "magic", "verify"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_message_renders_with_its_link(kind: str, language: str) -> None:
    rendered = Messages().render(
        kind,  # type: ignore[arg-type]
        language,  # type: ignore[arg-type]
        link="https://console.example.org/x/ens_token",
        expires="7 days",
        email="bo@acme.example",
        name="Bo <script>",
        workspace_name="Acme",
        inviter_name="Ana",
        roles=["approver"],
        signup=True,
    )
    assert rendered.subject
    assert "https://console.example.org/x/ens_token" in rendered.text
    assert 'href="https://console.example.org/x/ens_token"' in rendered.html
    assert f'lang="{language}"' in rendered.html
    assert "<script>" not in rendered.html  # escaped


def test_invitations_name_the_role_in_the_language() -> None:
    fr = Messages().render(
        "invitation",
        "fr",
        link="l",
        expires="7 jours",
        email="e",
        name=None,
        workspace_name="Acme",
        inviter_name="Ana",
        roles=["approver"],
        signup=False,
    )
    assert "Ana vous invite à rejoindre Acme" in fr.subject
    assert "approbateur" in fr.text


def test_durations_in_words() -> None:
    assert duration(timedelta(days=7), "en") == "7 days"
    assert duration(timedelta(hours=1), "fr") == "1 heure"
    assert duration(timedelta(minutes=15), "fr") == "15 minutes"
    assert duration(timedelta(minutes=90), "en") == "90 minutes"
