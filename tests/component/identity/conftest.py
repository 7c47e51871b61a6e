"""Identity in-process behind a real HTTP server, with a real SMTP server for its email."""

from __future__ import annotations

from support.identity import identity, mailbox

__all__ = ["identity", "mailbox"]
