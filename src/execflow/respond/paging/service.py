"""Queuing pages inside the incident's transaction; the outbox delivers them after commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.ids import new_id
from execflow.respond.catalog.models import Person, Service
from execflow.respond.incidents.facts import Facts
from execflow.respond.incidents.models import Incident
from execflow.respond.paging.models import Page

EMAIL, WEBHOOK = "email", "webhook"


@dataclass(frozen=True)
class PageOrder:
    """Whom to page about an incident, and why."""

    incident: Facts
    person_ids: list[str]
    reason: str
    cycle: int = 0
    step: int = 0
    late_seconds: float = 0.0
    """How long after its due time the step that pages ran (0: on time)."""
    missed_due_at: datetime | None = None


def page_people(
    session: Session,
    incident: Incident,
    person_ids: list[str],
    *,
    reason: str,
    now: datetime,
    cycle: int = 0,
    step: int = 0,
) -> list[str]:
    """Queue a page to each person on each of their channels (e-mail, and webhook if set)."""
    order = PageOrder(Facts.of(incident), person_ids, reason, cycle, step)
    return page_many(session, [order], now=now)


def page_many(session: Session, orders: Sequence[PageOrder], *, now: datetime) -> list[str]:
    """Queue the pages of many orders with a few bulk statements; returns the page ids."""
    wanted = {pid for order in orders for pid in order.person_ids}
    if not wanted:
        return []
    people = {
        p.id: p for p in session.execute(select(Person).where(Person.id.in_(wanted))).scalars()
    }
    service_ids = {o.incident.service_id for o in orders if o.incident.service_id}
    services = (
        dict(
            session.execute(
                select(Service.id, Service.name).where(Service.id.in_(service_ids))
            ).all()
        )
        if service_ids
        else {}
    )
    rows: list[dict[str, Any]] = []
    queued: list[outbox.Queued] = []
    for order in orders:
        for person_id in dict.fromkeys(order.person_ids):
            person = people.get(person_id)
            if person is None:
                continue
            for channel in [EMAIL] + ([WEBHOOK] if person.webhook_url else []):
                page_id = new_id("pag")
                rows.append(
                    {
                        "id": page_id,
                        "incident_id": order.incident.id,
                        "person_id": person_id,
                        "channel": channel,
                        "reason": order.reason,
                        "cycle": order.cycle,
                        "step": order.step,
                        "status": "queued",
                        "due_at": now,
                        "created_at": now,
                        "attempts": 0,
                    }
                )
                service = services.get(order.incident.service_id or "")
                queued.append(
                    outbox.Queued(
                        f"page.{channel}", _snapshot(page_id, order, person, service, now)
                    )
                )
    if rows:
        session.flush()  # the incidents the pages point at, when they are new
        session.connection().execute(insert(Page), rows)
        outbox.enqueue_many(session, queued, now=now)
    return [row["id"] for row in rows]


def _snapshot(
    page_id: str, order: PageOrder, person: Person, service: str | None, now: datetime
) -> dict[str, Any]:
    """What the page says, so sending it reads nothing back."""
    incident = order.incident
    return {
        "service": service,
        "source": incident.source,
        "late_seconds": order.late_seconds,
        "missed_due_at": order.missed_due_at.isoformat() if order.missed_due_at else None,
        "page_id": page_id,
        "incident_id": incident.id,
        "person_id": person.id,
        "name": person.name,
        "email": person.email,
        "webhook_url": person.webhook_url,
        "severity": incident.severity,
        "title": incident.title,
        "summary": incident.summary,
        "status": incident.status,
        "created_at": incident.created_at.isoformat(),
        "reason": order.reason,
        "step": order.step,
        "cycle": order.cycle,
        "due_at": now.isoformat(),
    }


def pages_of(session: Session, incident_id: str) -> list[Page]:
    """Every page of an incident, oldest first."""
    return list(
        session.execute(
            select(Page).where(Page.incident_id == incident_id).order_by(Page.created_at, Page.id)
        ).scalars()
    )
