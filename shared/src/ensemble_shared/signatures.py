"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature v1 HMAC-SHA256).

The `standardwebhooks` library does the cryptography; this module fixes how Ensemble uses it:
secrets in `whsec_` form, every malformed header reported as one error, several secrets accepted
during a rotation.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format marker, not a secret


class SignatureError(Exception):
    """Why a signed request was refused (missing headers, stale, forged)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_secret(value: str) -> str:
    """`value` if it is a usable signing secret (`whsec_` + base64 of 24 to 64 bytes), else
    ValueError: a secret given by a person is checked when saved, not when first signing."""
    if not value.startswith(SECRET_PREFIX):
        raise ValueError(f"a signing secret starts with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError:  # binascii.Error, and non-ASCII text
        raise ValueError(f"a signing secret is {SECRET_PREFIX} and base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError("a signing secret holds 24 to 64 bytes")
    return value


def sign(
    secrets_: Sequence[str], *, message_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """The three headers a receiver needs to verify `body`; one signature per secret, so a
    receiver holding either the old or the new secret accepts it during a rotation."""
    text = body.decode()
    signatures = " ".join(Webhook(s).sign(message_id, timestamp, text) for s in secrets_)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }


def verify(secrets_: Sequence[str], headers: Mapping[str, str], body: bytes) -> str:
    """Return the message id when any of the secrets signed `body` within five minutes."""
    wanted = {k.lower(): v for k, v in headers.items() if k.lower().startswith("webhook-")}
    if not {"webhook-id", "webhook-timestamp", "webhook-signature"} <= wanted.keys():
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        body.decode()
    except UnicodeDecodeError:
        raise SignatureError("the body is not UTF-8 text") from None
    reason = "no secret configured"
    for secret in secrets_:
        try:
            Webhook(secret).verify(body, wanted, json_parse=False)
            return wanted["webhook-id"]
        except WebhookVerificationError as exc:
            reason = str(exc)
        except (ValueError, binascii.Error):  # a header that is not even well-formed
            reason = "malformed webhook-signature header"
    raise SignatureError(reason.lower())
