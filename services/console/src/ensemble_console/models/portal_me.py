"""Feedback's answers to the signed-in member about themself (their profile is
`models.feedback.CommunityMember`, as staff read it)."""

from __future__ import annotations

from datetime import datetime

from ensemble_console.models.feedback import Answer


class HandleClaim(Answer):
    """A handle claimed, to prove by posting `code` from it (valid until `expires_at`)."""

    platform: str
    handle: str
    code: str
    expires_at: datetime
