"""Notify's API (the in-app inbox, preferences, routing, deliveries), with the person's
access token.

No page calls it yet: the notifications screens and the unsubscribe / preference pages add
their calls here, one method per route (see README "Adding a screen")."""

from __future__ import annotations

from ensemble_console.clients.base import WorkspaceClient


class NotifyClient(WorkspaceClient):
    service = "notify"
