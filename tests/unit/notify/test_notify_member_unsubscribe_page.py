"""A member's email links its text to the console's page for feedback's own token."""

from __future__ import annotations

from ensemble_notify.services.recipients import member_page


def test_the_page_carries_feedbacks_token_on_the_console() -> None:
    assert member_page("https://app.example.org/", "/unsubscribe?token=eyJ.a.b") == (
        "https://app.example.org/hooks/unsubscribe/members/eyJ.a.b"
    )


def test_no_page_without_a_console_or_a_token() -> None:
    assert member_page(None, "/unsubscribe?token=eyJ.a.b") is None
    assert member_page("https://app.example.org", None) is None
    assert member_page("https://app.example.org", "/unsubscribe") is None
