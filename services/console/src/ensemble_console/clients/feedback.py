"""Feedback's API (the board, members, field events), with the person's access token.

No page calls it yet: the community portal and the staff console's community screens add
their calls here, one method per route (see README "Adding a screen")."""

from __future__ import annotations

from ensemble_console.clients.base import WorkspaceClient


class FeedbackClient(WorkspaceClient):
    service = "feedback"
