"""One-time console sign-in links: HMAC-signed, valid LINK_LIFETIME, used once.

A link names who it signs in (a person, or a token for the first admin), a link id and
its expiry. Using it records the id; a second use is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from execflow.access.models import SigninLinkUse
from execflow.ids import new_id

LINK_LIFETIME = timedelta(minutes=15)


class SigninError(ValueError):
    """A sign-in link that is forged, malformed, expired or already used."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, b"execflow console sign-in", hashlib.sha256).digest()


def signin_link(secret: bytes, *, kind: str, ident: str, now: datetime) -> str:
    """A signed one-time token for /login/{token}: who, a link id, and until when."""
    body = json.dumps(
        {
            "k": kind,
            "i": ident,
            "l": new_id("lnk"),
            "e": int((now + LINK_LIFETIME).timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    return f"{_b64(body)}.{_b64(hmac.new(_key(secret), body, hashlib.sha256).digest())}"


def use_link(session: Session, secret: bytes, token: str, now: datetime) -> tuple[str, str]:
    """Check a sign-in token and mark it used; returns (kind, id) of who it signs in."""
    try:
        body_text, mac_text = token.split(".")
        body = base64.urlsafe_b64decode(body_text + "=" * (-len(body_text) % 4))
        mac = base64.urlsafe_b64decode(mac_text + "=" * (-len(mac_text) % 4))
        fields = json.loads(body)
        kind, ident, link_id = str(fields["k"]), str(fields["i"]), str(fields["l"])
        expires = datetime.fromtimestamp(int(fields["e"]), UTC)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise SigninError("this sign-in link is not valid") from exc
    if not hmac.compare_digest(mac, hmac.new(_key(secret), body, hashlib.sha256).digest()):
        raise SigninError("this sign-in link is not valid")
    if expires <= now:
        raise SigninError("this sign-in link has expired; ask for a new one")
    try:
        with session.begin_nested():
            session.add(SigninLinkUse(link_id=link_id, used_at=now))
    except IntegrityError as exc:
        raise SigninError("this sign-in link was used already; ask for a new one") from exc
    return kind, ident
