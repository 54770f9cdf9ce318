"""Signed, expiring acknowledge links: HMAC-SHA256 over a compact JSON payload."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from execflow.signed import SignedError, seal, unseal

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


def sign(secret: bytes, claim: AckClaim) -> str:
    """The token for a claim (signed with the secret itself: see `execflow.signed`)."""
    fields = {
        "i": claim.incident_id,
        "p": claim.person_id,
        "g": claim.page_id,
        "e": int(claim.expires_at.timestamp()),
    }
    return seal(secret, None, fields)


def verify(secret: bytes, token: str, *, now: datetime) -> AckClaim:
    """The claim of a genuine, unexpired token; LinkError otherwise."""
    try:
        fields = unseal(secret, None, token)
        claim = AckClaim(
            str(fields["i"]),
            str(fields["p"]),
            str(fields["g"]),
            datetime.fromtimestamp(int(fields["e"]), UTC),
        )
    except (SignedError, ValueError, KeyError, TypeError) as exc:
        raise LinkError("this link is not valid") from exc
    if now >= claim.expires_at:
        raise LinkError("this link has expired")
    return claim
