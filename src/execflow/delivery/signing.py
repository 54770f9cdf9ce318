"""Standard Webhooks signatures: HMAC-SHA256 over `id.timestamp.body`, keyed by a `whsec_` secret.

A receiver recomputes `base64(HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}.{body}"))`
with the key base64-decoded from the secret after `whsec_`, compares it with the `v1,`
value of `webhook-signature`, and refuses a timestamp far from its own clock (replays).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh `whsec_` secret (24 random bytes)."""
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message."""
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
