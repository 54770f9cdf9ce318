"""One-time console sign-in links: HMAC-signed, valid LINK_LIFETIME, used once.

A link names who it signs in (a person, or a token for the first admin), a link id and
its expiry. Using it records the id; a second use is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from execflow.access.models import SigninLinkUse
from execflow.ids import new_id
from execflow.signed import SignedError, seal, unseal

LINK_LIFETIME = timedelta(minutes=15)


class SigninError(ValueError):
    """A sign-in link that is forged, malformed, expired or already used."""


PURPOSE = b"execflow console sign-in"


def signin_link(secret: bytes, *, kind: str, ident: str, now: datetime) -> str:
    """A signed one-time token for /login/{token}: who, a link id, and until when."""
    fields = {
        "k": kind,
        "i": ident,
        "l": new_id("lnk"),
        "e": int((now + LINK_LIFETIME).timestamp()),
    }
    return seal(secret, PURPOSE, fields)


def use_link(session: Session, secret: bytes, token: str, now: datetime) -> tuple[str, str]:
    """Check a sign-in token and mark it used; returns (kind, id) of who it signs in."""
    try:
        fields = unseal(secret, PURPOSE, token)
        kind, ident, link_id = str(fields["k"]), str(fields["i"]), str(fields["l"])
        expires = datetime.fromtimestamp(int(fields["e"]), UTC)
    except (SignedError, ValueError, KeyError, TypeError) as exc:
        raise SigninError("this sign-in link is not valid") from exc
    if expires <= now:
        raise SigninError("this sign-in link has expired; ask for a new one")
    try:
        with session.begin_nested():
            session.add(SigninLinkUse(link_id=link_id, used_at=now))
    except IntegrityError as exc:
        raise SigninError("this sign-in link was used already; ask for a new one") from exc
    return kind, ident
