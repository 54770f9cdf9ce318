"""Shared steps of the Tell tests: components, subscribers, incidents and their updates."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.db import Database
from execflow.prove.log.models import LogEntry
from execflow.respond.catalog.models import Component
from execflow.respond.catalog.schemas import ComponentCreate
from execflow.respond.catalog.service import create_component
from execflow.respond.incidents import actions
from execflow.respond.incidents.schemas import UpdateIn
from execflow.tell.customers import service as customers
from execflow.tell.customers.schemas import CustomerCreate
from execflow.tell.subscribers.models import Subscriber
from tests.respond.factories import ADMIN, make_incident
from tests.smtp import Received

LINK = re.compile(r"https?://\S+/subscriptions/(?:confirm|unsubscribe)\?token=[\w.\-]+")


def component(session: Session, now: datetime, name: str, group: str | None = None) -> Component:
    """A component."""
    return create_component(
        session, data=ComponentCreate(name=name, group=group), actor=ADMIN, now=now
    )


def confirmed(session: Session, now: datetime, address: str, components: list[str]) -> str:
    """A subscriber who has already confirmed."""
    row = Subscriber(
        id=f"sub_{address.split('@', maxsplit=1)[0]}",
        email=address,
        component_ids=components,
        created_at=now,
        confirmed_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def customer(
    session: Session, now: datetime, name: str, components: list[str], contacts: list[str]
) -> str:
    """A customer with contacts."""
    data = CustomerCreate(name=name, component_ids=components, contacts=contacts)
    return customers.create(session, data=data, actor=ADMIN, now=now).id


def incident_with_update(
    db: Database, now: datetime, severity: str, components: list[str], body: str = "Looking."
) -> str:
    """An incident of a severity on components, with one public update."""
    with db.write() as session:
        incident = make_incident(session, now, None, severity=severity)
        incident.component_ids = components
        update = UpdateIn(status="investigating", body=body)
        actions.add_update(session, incident_id=incident.id, data=update, actor=ADMIN, now=now)
        return incident.id


def link_in(message: Received) -> str:
    """The subscription link in a mail's text."""
    found = LINK.search(message.body)
    assert found is not None, message.body
    return found.group(0)


def log_types(db: Database) -> list[str]:
    """Every log entry's type, in order."""
    with db.read() as session:
        return list(session.execute(select(LogEntry.type).order_by(LogEntry.idx)).scalars())


def log_bytes(db: Database) -> bytes:
    """Every log entry's bytes, joined (to look for addresses that must not be there)."""
    with db.read() as session:
        return b"\n".join(session.execute(select(LogEntry.data).order_by(LogEntry.idx)).scalars())
