"""Queuing pages inside the incident's transaction; the outbox delivers them after commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.respond.catalog.models import Person, Service
from execflow.respond.paging.facts import Facts
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

    @property
    def out_of_turn(self) -> bool:
        """A late step or a page outside the escalation: may meet a page just sent."""
        return self.late_seconds > 0 or self.reason != "escalation"


RECENT = timedelta(minutes=1)
"""An out-of-turn page skips whoever was paged about the same incident this recently."""


def page_people(
    session: Session,
    incident: Facts,
    person_ids: list[str],
    *,
    reason: str,
    now: datetime,
    cycle: int = 0,
    step: int = 0,
) -> set[str]:
    """Queue a page to each person on each of their channels; returns those just paged before."""
    order = PageOrder(incident, person_ids, reason, cycle, step)
    return {person for _, person in page_many(session, [order], now=now)}


def recently_paged(
    session: Session, incident_ids: Iterable[str], now: datetime
) -> set[tuple[str, str]]:
    """(incident id, person id) of pages queued within RECENT of now."""
    wanted = set(incident_ids)
    if not wanted:
        return set()
    query = select(Page.incident_id, Page.person_id).where(
        Page.incident_id.in_(wanted), Page.created_at > now - RECENT
    )
    return {(incident_id, person_id) for incident_id, person_id in session.execute(query)}


def page_many(
    session: Session, orders: Sequence[PageOrder], *, now: datetime
) -> set[tuple[str, str]]:
    """Queue the pages of many orders with a few bulk statements.

    Each person is paged once per incident per call; an out-of-turn order (a late step,
    a reminder) skips whoever was paged about the incident within RECENT. Returns those
    skipped, as (incident id, person id), so the caller's log names only who was paged.
    """
    wanted = {pid for order in orders for pid in order.person_ids}
    if not wanted:
        return set()
    session.flush()  # the incidents the pages point at, when they are new
    recent = recently_paged(session, [o.incident.id for o in orders if o.out_of_turn], now)
    paged: set[tuple[str, str]] = set()
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
        service = services.get(order.incident.service_id or "")
        for person_id in order.person_ids:
            person, key = people.get(person_id), (order.incident.id, person_id)
            if person is None or key in recent or key in paged:
                continue
            paged.add(key)
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
                queued.append(
                    outbox.Queued(
                        f"page.{channel}", _snapshot(page_id, order, person, service, now)
                    )
                )
    if rows:
        session.connection().execute(insert(Page), rows)
        outbox.enqueue_many(session, queued, now=now)
    return recent & {(o.incident.id, p) for o in orders if o.out_of_turn for p in o.person_ids}


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


def pages_of(session: Session, incident_id: str, window: Window) -> Slice[Page]:
    """The pages of an incident, oldest first, a page at a time."""
    query = select(Page).where(Page.incident_id == incident_id)
    return fetch(session, query, [Page.created_at, Page.id], window)
