"""Signed tokens for links (acknowledge, subscription, sign-in): compact JSON and an
HMAC-SHA256 tag, both base64url, joined by a dot.

Each kind of link signs with a key of its own derived from the instance's link secret
(`purpose`), so a token for one purpose never passes as another. Acknowledge links, the
first kind, sign with the secret itself (purpose None) so links already mailed keep
working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any


class SignedError(ValueError):
    """A token that is malformed or whose tag does not match."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: bytes, purpose: bytes | None) -> bytes:
    return secret if purpose is None else hmac.new(secret, purpose, hashlib.sha256).digest()


def seal(secret: bytes, purpose: bytes | None, fields: dict[str, Any]) -> str:
    """The token carrying fields, signed for purpose."""
    body = json.dumps(fields, separators=(",", ":")).encode()
    tag = hmac.new(_key(secret, purpose), body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(tag)}"


def unseal(secret: bytes, purpose: bytes | None, token: str) -> dict[str, Any]:
    """The fields of a genuine token for purpose; SignedError otherwise."""
    try:
        body_text, tag_text = token.split(".")
        body, tag = _unb64(body_text), _unb64(tag_text)
    except (ValueError, binascii.Error) as exc:
        raise SignedError("this link is not valid") from exc
    if not hmac.compare_digest(tag, hmac.new(_key(secret, purpose), body, hashlib.sha256).digest()):
        raise SignedError("this link is not valid")
    try:
        fields = json.loads(body)
    except ValueError as exc:
        raise SignedError("this link is not valid") from exc
    if not isinstance(fields, dict):
        raise SignedError("this link is not valid")
    return fields
