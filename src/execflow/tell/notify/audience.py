"""Who is told, by the severity policy: the recipients of one notification.

- P1: every confirmed subscriber and every customer contact;
- P2: the subscribers of the affected components (a subscriber who chose no component
  follows them all) and the contacts of customers using them;
- P3: the status page only; P4: nothing public;
- maintenance: the subscribers of its components.
An address is told once, as a subscriber if it is one (its unsubscribe link is then the
subscription's), else as a customer contact; contacts who unsubscribed are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.tell.customers.models import Customer
from execflow.tell.subscribers.models import Subscriber
from execflow.tell.subscribers.tokens import contact_ref


@dataclass(frozen=True)
class Recipient:
    """One address to write to, and who it is in our records (for logs and links)."""

    address: str
    ref: str
    """`sub_...` or `cus_...:<digest>` (never the address)."""
    subscriber_id: str | None = None
    customer_id: str | None = None


def _follows(choice: Iterable[str], components: set[str]) -> bool:
    chosen = set(choice)
    return not chosen or bool(chosen & components)


def subscribers(session: Session, components: set[str] | None) -> list[Recipient]:
    """Confirmed subscribers following any of components (None: every one)."""
    rows = session.execute(
        select(Subscriber).where(Subscriber.confirmed_at.is_not(None)).order_by(Subscriber.id)
    ).scalars()
    return [
        Recipient(s.email, s.id, subscriber_id=s.id)
        for s in rows
        if components is None or _follows(s.component_ids, components)
    ]


def contacts(session: Session, components: set[str] | None) -> list[Recipient]:
    """Contacts of customers using any of components (None: every customer)."""
    found = []
    for customer in session.execute(select(Customer).order_by(Customer.id)).scalars():
        if components is not None and not components & set(customer.component_ids):
            continue
        muted = set(customer.muted)
        for address in customer.contacts:
            ref = contact_ref(customer.id, address)
            if ref not in muted:
                found.append(Recipient(address, ref, customer_id=customer.id))
    return found


def for_severity(session: Session, severity: str, components: set[str]) -> list[Recipient]:
    """The recipients of an incident update of this severity."""
    if severity == "P1":
        return _once([*subscribers(session, None), *contacts(session, None)])
    if severity == "P2":
        return _once([*subscribers(session, components), *contacts(session, components)])
    return []


def for_maintenance(session: Session, components: set[str]) -> list[Recipient]:
    """The recipients of a maintenance notice."""
    return _once(subscribers(session, components))


def _once(recipients: list[Recipient]) -> list[Recipient]:
    seen: set[str] = set()
    unique = []
    for r in recipients:
        key = r.address.lower()
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return unique
