"""Signed, expiring acknowledge links: HMAC-SHA256 over a compact JSON payload."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

LINK_LIFETIME = timedelta(hours=24)


class LinkError(ValueError):
    """A link that is forged, malformed or expired."""


@dataclass(frozen=True)
class AckClaim:
    """What an acknowledge link says: this person may acknowledge this incident until exp."""

    incident_id: str
    person_id: str
    page_id: str
    expires_at: datetime


def load_secret(path: Path) -> bytes:
    """The link-signing secret, created (mode 0600) on first use."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: bytes, claim: AckClaim) -> str:
    """The token for a claim."""
    body = json.dumps(
        {
            "i": claim.incident_id,
            "p": claim.person_id,
            "g": claim.page_id,
            "e": int(claim.expires_at.timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    mac = hmac.new(secret, body, hashlib.sha256).digest()
    return f"{_b64(body)}.{_b64(mac)}"


def verify(secret: bytes, token: str, *, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; LinkError otherwise."""
    try:
        body_text, mac_text = token.split(".")
        body, mac = _unb64(body_text), _unb64(mac_text)
    except (ValueError, binascii.Error) as exc:
        raise LinkError("this link is not valid") from exc
    if not hmac.compare_digest(mac, hmac.new(secret, body, hashlib.sha256).digest()):
        raise LinkError("this link is not valid")
    fields = json.loads(body)
    claim = AckClaim(
        fields["i"], fields["p"], fields["g"], datetime.fromtimestamp(fields["e"], UTC)
    )
    if now >= claim.expires_at:
        raise LinkError("this link has expired")
    return claim
