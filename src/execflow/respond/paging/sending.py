"""Delivering pages (e-mail, webhook) from the outbox, and logging each send and failure."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery import mail, signing, webhook
from execflow.delivery.webhook import DeliveryError
from execflow.outbox import Claimed, Done, Handler
from execflow.prove.log.append import append, append_prepared, prepare
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person
from execflow.respond.paging import links
from execflow.respond.paging.models import Page

SYSTEM = Ref("system", "paging")
_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


@dataclass(frozen=True)
class PagingContext:
    """What page delivery needs: where to read, how to link, and the clock."""

    db: Database
    settings: Settings
    clock: Clock
    link_secret: bytes
    http: httpx.Client
    """The one client outgoing webhooks are sent with."""


def links_for(ctx: PagingContext, page: dict[str, Any]) -> tuple[str, str]:
    """The page's signed acknowledge link and the incident's link."""
    claim = links.AckClaim(
        page["incident_id"],
        page["person_id"],
        page["page_id"],
        ctx.clock.now() + links.LINK_LIFETIME,
    )
    base = ctx.settings.base_url.rstrip("/")
    return (
        f"{base}/ack/{links.sign(ctx.link_secret, claim)}",
        f"{base}/incidents/{page['incident_id']}",
    )


REASONS = {
    "commander_reminder": "You are the commander candidate: name an Incident Commander.",
    "severity_raised": "The severity was raised.",
}


def lateness(page: dict[str, Any]) -> str | None:
    """Why and how late a page is, when the step that sent it ran late."""
    late = float(page.get("late_seconds") or 0)
    if late <= 0:
        return None
    minutes = round(late / 60)
    span = f"{minutes} min" if minutes >= 1 else f"{round(late)} s"
    return (
        f"This page is {span} late: its escalation step fell due at"
        f" {_when(page['missed_due_at'])},"
        " when no ExecFlow worker was running to send it. Missed steps are sent together,"
        " once per person."
    )


def _when(moment: str) -> str:
    """An RFC 3339 time as a person reads it at 4 am: minutes, seconds, UTC."""
    return datetime.fromisoformat(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def email_for(ctx: PagingContext, page: dict[str, Any]) -> mail.Mail:
    """The page as an e-mail: what a responder needs at 4 am, then the links."""
    ack_url, incident_url = links_for(ctx, page)
    reason = REASONS.get(page["reason"], f"You are on escalation step {int(page['step']) + 1}.")
    lines = [
        f"{page['severity']} incident: {page['title']}",
        "",
        f"Service:  {page.get('service') or '(none)'}",
        f"Severity: {page['severity']}",
        f"Via:      {page.get('source') or 'manual'}",
        f"Started:  {_when(page['created_at'])}",
    ]
    if page["summary"]:
        lines += ["", page["summary"]]
    late = lateness(page)
    if late is not None:
        lines += ["", late]
    lines += ["", reason, "", f"Acknowledge: {ack_url}", f"Incident: {incident_url}", ""]
    return mail.Mail(
        sender=ctx.settings.mail_from,
        to=page["email"],
        subject=f"[{page['severity']}] {page['title']} ({page['incident_id']})",
        text="\n".join(lines),
        headers={
            "X-ExecFlow-Incident": page["incident_id"],
            "X-ExecFlow-Page": page["page_id"],
            "X-ExecFlow-Due": page["due_at"],
        },
    )


def webhook_body(ctx: PagingContext, page: dict[str, Any]) -> dict[str, Any]:
    """The page as a JSON webhook body."""
    ack_url, incident_url = links_for(ctx, page)
    return {
        "type": "page",
        "page_id": page["page_id"],
        "reason": page["reason"],
        "person_id": page["person_id"],
        "ack_url": ack_url,
        "incident_url": incident_url,
        "late_seconds": float(page.get("late_seconds") or 0),
        "late_note": lateness(page),
        "incident": {
            "id": page["incident_id"],
            "title": page["title"],
            "severity": page["severity"],
            "status": page["status"],
            "created_at": page["created_at"],
            "service": page.get("service"),
            "source": page.get("source"),
            "summary": page["summary"],
        },
    }


def _mark_sent(channel: str) -> Done:
    def done(session: Session, items: Sequence[Claimed], now: datetime) -> None:
        """Mark the batch's pages sent and log each, from the payload's snapshot."""
        pages = [item.payload for item in items]
        session.execute(
            update(Page)
            .where(Page.id.in_([page["page_id"] for page in pages]))
            .values(status="sent", sent_at=now, attempts=Page.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        append_prepared(
            session,
            [
                prepare(
                    type="page.sent",
                    at=now,
                    actor=SYSTEM,
                    subject=Ref("page", page["page_id"]),
                    data={
                        "incident_id": page["incident_id"],
                        "person_id": page["person_id"],
                        "channel": channel,
                        "reason": page["reason"],
                        "step": page["step"],
                        "cycle": page["cycle"],
                    },
                )
                for page in pages
            ],
        )

    return done


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

    def send_email(item: Claimed) -> None:
        mail.send(
            email_for(ctx, item.payload),
            smtp_url=ctx.settings.smtp_url,
            maildir=ctx.settings.data_dir / "mail",
        )

    def send_webhook(item: Claimed) -> None:
        url = item.payload.get("webhook_url")
        if not url:
            raise DeliveryError("the person had no webhook_url when paged")
        body = json.dumps(webhook_body(ctx, item.payload), separators=(",", ":")).encode()
        headers = {"Idempotency-Key": item.payload["page_id"]}
        # Read at send time: a page queued before a rotation is signed with the new secret.
        with ctx.db.read() as session:
            person = session.get(Person, item.payload["person_id"])
            secret = person.webhook_secret if person is not None else None
        if secret:
            stamp = int(ctx.clock.now().timestamp())
            headers |= signing.headers(secret, item.payload["page_id"], stamp, body)
        webhook.post_json(ctx.http, url, body, headers)

    return {
        "page.email": Handler(send_email, _mark_sent("email"), _failed(ctx, "email")),
        "page.webhook": Handler(send_webhook, _mark_sent("webhook"), _failed(ctx, "webhook")),
    }
