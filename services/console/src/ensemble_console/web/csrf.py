"""CSRF tokens: an HMAC of what the browser's cookies bind (the session, or before sign-in a
random anonymous value), so any replica can check them and nothing is stored.

This is OWASP's "signed double-submit cookie": a cross-site page can make the browser send
the cookies but cannot read them, so it cannot compute the token a form must carry. Every
state-changing request is checked before its route runs (`require_csrf`, installed on every
router by `main.py`); htmx requests send the token as the `X-CSRF-Token` header too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ensemble_shared.capabilities import same_secret

FIELD = "csrf_token"
HEADER = "x-csrf-token"


class Csrf:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"ensemble/console/csrf/" + secret.encode()).digest()

    def token(self, binding: str) -> str:
        mac = hmac.new(self._key, binding.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def valid(self, binding: str, given: str | None) -> bool:
        return bool(given) and same_secret(str(given), self.token(binding))
