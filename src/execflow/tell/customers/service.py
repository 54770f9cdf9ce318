"""Customers: create, change, delete; their contacts never reach the log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.entry import Ref
from execflow.records import Change, Configured, apply_changes, get, log_change, remove, require_ids
from execflow.respond.catalog.models import Component
from execflow.tell.customers.models import Customer
from execflow.tell.customers.schemas import CustomerCreate, CustomerRead, CustomerUpdate


def read(customer: Customer, *, with_contacts: bool) -> CustomerRead:
    """The API view; contacts only for those allowed to see personal data."""
    return CustomerRead(
        id=customer.id,
        name=customer.name,
        component_ids=list(customer.component_ids),
        contacts=list(customer.contacts) if with_contacts else None,
        contacts_count=len(customer.contacts),
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def _logged(customer: Customer) -> dict[str, object]:
    """What the log keeps of a customer: ids and counts, no addresses."""
    return {"component_ids": list(customer.component_ids), "contacts": len(customer.contacts)}


def list_customers(session: Session, window: Window) -> Slice[Customer]:
    """Customers by name, a page at a time."""
    return fetch(session, select(Customer), [Customer.name, Customer.id], window)


def create(session: Session, *, data: CustomerCreate, actor: Ref, now: datetime) -> Customer:
    """Add a customer."""
    require_ids(session, Component, data.component_ids, "component_ids")
    customer = Customer(
        id=new_id("cus"),
        name=data.name,
        component_ids=list(dict.fromkeys(data.component_ids)),
        contacts=list(dict.fromkeys(data.contacts)),
        created_at=now,
        updated_at=now,
    )
    session.add(customer)
    session.flush()
    log_change(
        session,
        kind=Configured.CUSTOMER,
        verb=Change.CREATED,
        subject_id=customer.id,
        actor=actor,
        now=now,
        data=_logged(customer),
    )
    return customer


def update(
    session: Session, *, customer_id: str, data: CustomerUpdate, actor: Ref, now: datetime
) -> Customer:
    """Change a customer's name, components or contacts."""
    customer: Customer = get(session, Customer, customer_id, "customer")
    if data.component_ids is not None:
        require_ids(session, Component, data.component_ids, "component_ids")
    fields = apply_changes(customer, data)
    customer.component_ids = list(dict.fromkeys(customer.component_ids))
    customer.contacts = list(dict.fromkeys(customer.contacts))
    customer.updated_at = now
    log_change(
        session,
        kind=Configured.CUSTOMER,
        verb=Change.UPDATED,
        subject_id=customer.id,
        actor=actor,
        now=now,
        data={"fields": fields, **_logged(customer)},
    )
    return customer


def delete(session: Session, *, customer_id: str, actor: Ref, now: datetime) -> None:
    """Remove a customer."""
    customer: Customer = get(session, Customer, customer_id, "customer")
    remove(session, customer, "customer")
    log_change(
        session,
        kind=Configured.CUSTOMER,
        verb=Change.DELETED,
        subject_id=customer_id,
        actor=actor,
        now=now,
    )
