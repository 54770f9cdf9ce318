"""Delivering pages (e-mail, webhook) from the outbox, and logging each send and failure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy.orm import Session

from execflow.clock import Clock, rfc3339
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery import mail
from execflow.delivery.webhook import DeliveryError
from execflow.outbox import AfterDelivery, Claimed, Handler
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person
from execflow.respond.incidents.models import Incident
from execflow.respond.paging import links
from execflow.respond.paging.models import Page

SYSTEM = Ref("system", "paging")
_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")
WEBHOOK_TIMEOUT = 10.0


@dataclass(frozen=True)
class PagingContext:
    """What page delivery needs: where to read, how to link, and the clock."""

    db: Database
    settings: Settings
    clock: Clock
    link_secret: bytes


@dataclass(frozen=True)
class PageView:
    """Everything a page message says."""

    page: Page
    incident: Incident
    person: Person
    ack_url: str
    incident_url: str


def _view(ctx: PagingContext, page_id: str) -> PageView:
    with ctx.db.read() as session:
        page = session.get(Page, page_id)
        if page is None:
            raise LookupError(f"page {page_id} is gone")
        incident = session.get(Incident, page.incident_id)
        person = session.get(Person, page.person_id)
        if incident is None or person is None:
            raise LookupError(f"page {page_id} lost its incident or person")
    claim = links.AckClaim(incident.id, person.id, page.id, ctx.clock.now() + links.LINK_LIFETIME)
    base = ctx.settings.base_url.rstrip("/")
    return PageView(
        page,
        incident,
        person,
        f"{base}/ack/{links.sign(ctx.link_secret, claim)}",
        f"{base}/api/v1/incidents/{incident.id}",
    )


def email_message(ctx: PagingContext, view: PageView) -> EmailMessage:
    """The page as an e-mail."""
    incident = view.incident
    message = EmailMessage()
    message["From"] = ctx.settings.mail_from
    message["To"] = view.person.email
    message["Subject"] = f"[{incident.severity}] {incident.title} ({incident.id})"
    message["X-ExecFlow-Incident"] = incident.id
    message["X-ExecFlow-Page"] = view.page.id
    message["X-ExecFlow-Due"] = rfc3339(view.page.due_at)
    reason = (
        "You are the commander candidate."
        if view.page.reason == "commander_reminder"
        else f"You are on escalation step {view.page.step + 1}."
    )
    message.set_content(
        f"{incident.severity} incident: {incident.title}\n\n{incident.summary}\n\n{reason}\n\n"
        f"Acknowledge: {view.ack_url}\nIncident: {view.incident_url}\n"
    )
    return message


def webhook_body(view: PageView) -> dict[str, Any]:
    """The page as a JSON webhook body."""
    incident = view.incident
    return {
        "type": "page",
        "page_id": view.page.id,
        "reason": view.page.reason,
        "person_id": view.person.id,
        "ack_url": view.ack_url,
        "incident_url": view.incident_url,
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "severity": incident.severity,
            "status": incident.status,
            "created_at": rfc3339(incident.created_at),
        },
    }


def _mark_sent(page_id: str, channel: str, now: datetime) -> AfterDelivery:
    def after(session: Session) -> None:
        page = session.get(Page, page_id)
        if page is None:
            return
        page.status, page.sent_at, page.attempts = "sent", now, page.attempts + 1
        append(
            session,
            type="page.sent",
            at=now,
            actor=SYSTEM,
            subject=Ref("page", page_id),
            data={
                "incident_id": page.incident_id,
                "person_id": page.person_id,
                "channel": channel,
                "reason": page.reason,
                "step": page.step,
                "cycle": page.cycle,
            },
        )

    return after


def _failed(ctx: PagingContext, channel: str) -> Any:
    def failed(session: Session, item: Claimed, error: str, final: bool) -> None:
        page = session.get(Page, item.payload["page_id"])
        if page is None:
            return
        page.attempts += 1
        page.last_error = error[:1000]
        if final:
            page.status = "failed"
        append(
            session,
            type="page.failed" if final else "page.retrying",
            at=ctx.clock.now(),
            actor=SYSTEM,
            subject=Ref("page", page.id),
            data={
                "incident_id": page.incident_id,
                "person_id": page.person_id,
                "channel": channel,
                "attempt": item.attempts,
                "error": _ADDRESS.sub("<address>", error)[:300],
            },
        )

    return failed


def handlers(ctx: PagingContext) -> dict[str, Handler]:
    """The outbox handlers for page.email and page.webhook."""

    def send_email(item: Claimed) -> AfterDelivery:
        view = _view(ctx, item.payload["page_id"])
        mail.send(
            email_message(ctx, view),
            smtp_url=ctx.settings.smtp_url,
            maildir=ctx.settings.data_dir / "mail",
        )
        return _mark_sent(view.page.id, "email", ctx.clock.now())

    def send_webhook(item: Claimed) -> AfterDelivery:
        view = _view(ctx, item.payload["page_id"])
        url = view.person.webhook_url
        if not url:
            raise DeliveryError("the person has no webhook_url any more")
        response = httpx.post(
            url,
            json=webhook_body(view),
            timeout=WEBHOOK_TIMEOUT,
            headers={"Idempotency-Key": view.page.id},
        )
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook answered {response.status_code}")
        return _mark_sent(view.page.id, "webhook", ctx.clock.now())

    return {
        "page.email": Handler(send_email, _failed(ctx, "email")),
        "page.webhook": Handler(send_webhook, _failed(ctx, "webhook")),
    }
