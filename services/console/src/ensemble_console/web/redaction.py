"""Paths without their secrets, for every log line the console writes (its access log too).

Capability pages carry their token in the path (`/hooks/decisions/<token>`,
`/hooks/unsubscribe/members/<token>`, the emailed
`/invitations/<token>` …) and the OIDC callback its code and state in the query; whoever reads
the logs must not be able to use them.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"
_TOKEN_PATHS = re.compile(
    r"^(/hooks/[^/?#]+/(?:members/)?|/(?:invitations|reset-password|magic|verify-email)/)[^/?#]+"
)
_SECRET_QUERY = re.compile(r"([?&](?:code|state|token|session_state)=)[^&#]*")


def redact(path: str) -> str:
    path = _TOKEN_PATHS.sub(lambda m: m.group(1) + REDACTED, path)
    return _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, path)


class RedactPaths(logging.Filter):
    """For uvicorn's access log, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactPaths) for f in access.filters):
        access.addFilter(RedactPaths())
