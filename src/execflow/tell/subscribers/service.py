"""Subscribing (double opt-in), confirming and unsubscribing; nothing here reveals whether an
address was already known."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.errors import InvalidInput
from execflow.ids import new_id
from execflow.outbox import enqueue_many
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.records import require_ids
from execflow.respond.catalog.models import Component
from execflow.tell.customers.models import Customer
from execflow.tell.events import TellEvent
from execflow.tell.notify.mails import Sender
from execflow.tell.subscribers import tokens
from execflow.tell.subscribers.models import Subscriber

PUBLIC = Ref("public", "status_page")
"""The actor of what an anonymous visitor does (the log never names an address)."""


def _log(session: Session, event: TellEvent, subject: Ref, now: datetime, **data: object) -> None:
    append(session, type=event, at=now, actor=PUBLIC, subject=subject, data=dict(data))


def request(
    session: Session,
    *,
    address: str,
    component_ids: list[str],
    sender: Sender,
    now: datetime,
    send: bool = True,
) -> None:
    """Ask for a subscription: a confirmation link goes to the address (unless not `send`).

    A known address gets a link too (confirming it applies the new component choice), so
    the visitor sees the same answer either way.
    """
    chosen = list(dict.fromkeys(component_ids))
    require_ids(session, Component, chosen, "component_ids")
    key = address.lower()
    subscriber = session.execute(
        select(Subscriber).where(Subscriber.email == key)
    ).scalar_one_or_none()
    if subscriber is None:
        subscriber = Subscriber(id=new_id("sub"), email=key, component_ids=[], created_at=now)
        session.add(subscriber)
        session.flush()
    _log(
        session,
        TellEvent.SUBSCRIPTION_REQUESTED,
        Ref("subscriber", subscriber.id),
        now,
        component_ids=chosen,
        mailed=send,
    )
    if send:
        mail = sender.confirmation(subscriber.email, subscriber.id, chosen, now)
        enqueue_many(session, [mail.queued()], now=now)


def confirm(session: Session, *, claim: tokens.Claim, now: datetime) -> Subscriber:
    """Confirm the subscription a genuine confirm link names, with its component choice."""
    subscriber = session.get(Subscriber, claim.recipient, with_for_update=True)
    if subscriber is None:
        raise InvalidInput("this subscription no longer exists; subscribe again")
    known = set(
        session.execute(select(Component.id).where(Component.id.in_(claim.component_ids))).scalars()
    )
    subscriber.component_ids = [c for c in claim.component_ids if c in known]
    first = subscriber.confirmed_at is None
    subscriber.confirmed_at = subscriber.confirmed_at or now
    _log(
        session,
        TellEvent.SUBSCRIPTION_CONFIRMED,
        Ref("subscriber", subscriber.id),
        now,
        component_ids=list(subscriber.component_ids),
        first=first,
    )
    return subscriber


def unsubscribe(session: Session, *, claim: tokens.Claim, now: datetime) -> None:
    """Stop mail to whoever a genuine unsubscribe link names (done twice is still done)."""
    if claim.recipient.startswith("sub_"):
        subscriber = session.get(Subscriber, claim.recipient)
        if subscriber is not None:
            session.delete(subscriber)
            _log(session, TellEvent.SUBSCRIPTION_REMOVED, Ref("subscriber", claim.recipient), now)
        return
    customer_id, _, _digest = claim.recipient.partition(":")
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is not None and claim.recipient not in customer.muted:
        customer.muted = [*customer.muted, claim.recipient]
        _log(session, TellEvent.CONTACT_UNSUBSCRIBED, Ref("customer", customer_id), now)
