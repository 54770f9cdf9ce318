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
    people = {
        p.id: p for p in session.execute(select(Person).where(Person.id.in_(person_ids))).scalars()
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
    session.flush()
    for page in pages:
        outbox.enqueue(session, kind=f"page.{page.channel}", payload={"page_id": page.id}, now=now)
    return pages


def pages_of(session: Session, incident_id: str) -> list[Page]:
    """Every page of an incident, oldest first."""
    return list(
        session.execute(
            select(Page).where(Page.incident_id == incident_id).order_by(Page.created_at, Page.id)
        ).scalars()
    )
