"""Secrets out of whatever is shown or logged: capability tokens, sessions, keys, tickets.

Every capability of Ensemble is a JWT (`ensemble_shared.capabilities`: decision, feed,
unsubscribe, verification, chart links, stream tickets) and every opaque secret of identity is
prefixed (`ens_s_`, `ens_i_`, ...), so both are recognised wherever they appear: inside a
rendered message, a path or a query string. Paths and queries also lose the values of the
parameters that carry secrets by name, whatever their shape (an OIDC `code`, a `token`).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# A JWT: base64url of a JSON header (`{"` encodes as `eyJ`), payload, signature.
_JWT = r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
# identity's opaque secrets: `ens_<kind>_` then 256 random bits in base64url.
_OPAQUE = r"ens_[a-z]_[A-Za-z0-9_-]{16,}"
_SECRETS = re.compile(f"{_JWT}|{_OPAQUE}")
# Paths whose last segment is a secret, in the console and in each service's API.
_TOKEN_PATHS = re.compile(
    r"(/hooks/[^/?#\s]+/(?:members/)?|/(?:invitations|reset-password|magic|verify-email|approval-links)/)"
    r"[^/?#\s\"']+"
)
_SECRET_QUERY = re.compile(
    r"([?&](?:code|state|token|ticket|session_state|access_token|sig|signature)=)"
    r"[^&#\s\"']*"
)


def redact_secrets(text: str) -> str:
    """`text` with every capability token and opaque secret in it replaced."""
    return _SECRETS.sub(REDACTED, text)


def redact_path(path: str) -> str:
    """A request path and query as it may be logged: no token segment, no secret parameter.
    Works on any text holding URLs too (an HTTP client's request line)."""
    path = _TOKEN_PATHS.sub(lambda m: m.group(1) + REDACTED, path)
    path = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, path)
    return redact_secrets(path)


class RedactPaths(logging.Filter):
    """For uvicorn's access log, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def install_access_log_redaction() -> None:
    """Idempotent: every service calls it where it configures logging."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactPaths) for f in access.filters):
        access.addFilter(RedactPaths())
