"""Ingest's API (mentions, the inbox, sources), with the person's access token.

No page calls it yet: the staff console's inbox and sources screens add their calls here,
one method per route, each through `as_person` (see README "Adding a screen")."""

from __future__ import annotations

from ensemble_console.clients.base import WorkspaceClient


class IngestClient(WorkspaceClient):
    service = "ingest"
