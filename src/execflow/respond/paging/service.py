"""Queuing pages inside the incident's transaction; the outbox delivers them after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow import outbox
from execflow.ids import new_id
from execflow.respond.catalog.models import Person
from execflow.respond.incidents.models import Incident
from execflow.respond.paging.models import Page

EMAIL, WEBHOOK = "email", "webhook"


def page_people(
    session: Session,
    incident: Incident,
    person_ids: list[str],
    *,
    reason: str,
    now: datetime,
    cycle: int = 0,
    step: int = 0,
) -> list[Page]:
    """Queue a page to each person on each of their channels (e-mail, and webhook if set)."""
    pages: list[Page] = []
    # session.get hits the identity map: a batch of steps paging one person loads it once.
    people = {
        pid: p for pid in dict.fromkeys(person_ids) if (p := session.get(Person, pid)) is not None
    }
    for person_id in dict.fromkeys(person_ids):
        person = people.get(person_id)
        if person is None:
            continue
        channels = [EMAIL] + ([WEBHOOK] if person.webhook_url else [])
        for channel in channels:
            page = Page(
                id=new_id("pag"),
                incident_id=incident.id,
                person_id=person_id,
                channel=channel,
                reason=reason,
                cycle=cycle,
                step=step,
                status="queued",
                due_at=now,
                created_at=now,
            )
            session.add(page)
            pages.append(page)
    for page in pages:
        person = people[page.person_id]
        outbox.enqueue(
            session,
            kind=f"page.{page.channel}",
            now=now,
            payload={
                # A snapshot of what the page says, so sending it reads nothing back.
                "page_id": page.id,
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
                "reason": reason,
                "step": step,
                "cycle": cycle,
                "due_at": now.isoformat(),
            },
        )
    return pages


def pages_of(session: Session, incident_id: str) -> list[Page]:
    """Every page of an incident, oldest first."""
    return list(
        session.execute(
            select(Page).where(Page.incident_id == incident_id).order_by(Page.created_at, Page.id)
        ).scalars()
    )
