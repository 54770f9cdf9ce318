"""Signed, expiring tokens in subscription links: HMAC-SHA256 over compact JSON.

A token names its purpose (confirm or unsubscribe), whom it is for, and until when it
holds; a confirm token also carries the component choice being confirmed, so a known
address can change its choice only by following a link mailed to it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from execflow.signed import SignedError, seal, unseal

CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"
CONFIRM_LIFETIME = timedelta(hours=48)
UNSUBSCRIBE_LIFETIME = timedelta(days=400)
"""An unsubscribe link in an old mail keeps working for more than a year."""


class TokenError(ValueError):
    """A token that is forged, malformed, expired or for another purpose."""


@dataclass(frozen=True)
class Claim:
    """What a link says: for this purpose, this recipient, until expires_at."""

    purpose: str
    recipient: str
    """`sub_...` (a subscriber) or `cus_...:<n>` (a customer's contact, by digest)."""
    expires_at: datetime
    component_ids: list[str] = field(default_factory=list)


PURPOSE = b"execflow subscriptions"


def sign(secret: bytes, claim: Claim) -> str:
    """The token for a claim."""
    fields = {
        "p": claim.purpose,
        "r": claim.recipient,
        "e": int(claim.expires_at.timestamp()),
        "c": claim.component_ids,
    }
    return seal(secret, PURPOSE, fields)


def verify(secret: bytes, token: str, *, purpose: str, now: datetime) -> Claim:
    """The claim of a genuine, unexpired token for purpose; TokenError otherwise."""
    try:
        fields = unseal(secret, PURPOSE, token)
        claim = Claim(
            purpose=str(fields["p"]),
            recipient=str(fields["r"]),
            expires_at=datetime.fromtimestamp(int(fields["e"]), UTC),
            component_ids=[str(c) for c in fields.get("c", [])],
        )
    except (SignedError, ValueError, KeyError, TypeError) as exc:
        raise TokenError("this link is not valid") from exc
    if claim.purpose != purpose:
        raise TokenError("this link is not valid")
    if claim.expires_at <= now:
        raise TokenError("this link has expired")
    return claim


def contact_ref(customer_id: str, address: str) -> str:
    """How a customer's contact is named in a token: the customer and a digest, no address."""
    digest = hashlib.sha256(address.lower().encode()).hexdigest()[:16]
    return f"{customer_id}:{digest}"
