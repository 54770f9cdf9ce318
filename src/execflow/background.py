"""The background: every outbox kind collected with its handler, and the loops for a role."""

from __future__ import annotations

from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery import webhook
from execflow.detect.ingest import service as ingest
from execflow.detect.probes import transitions
from execflow.detect.probes.runner import ProbeRunner
from execflow.ops.retention import Pruner
from execflow.outbox import Handler
from execflow.prove.log.note import Signer
from execflow.respond.incidents import deadline_timers, escalation, public_updates
from execflow.respond.paging import sending as paging
from execflow.respond.paging.links import load_secret
from execflow.tell.notify import fanout
from execflow.tell.notify import sending as status_mail
from execflow.tell.notify.mails import Sender
from execflow.tell.postmortems import reminders as postmortem_reminders
from execflow.workers import ALL, MESSAGES, TIMERS, Workers


def background(
    db: Database, signer: Signer, clock: Clock, settings: Settings, *, role: str = ALL
) -> Workers:
    """The background loops for a role: outbox, integrator, probes and retention."""
    workers = Workers(
        db, signer, clock, settings, handlers=handlers(db, settings, clock), role=role
    )
    if role != MESSAGES:
        workers.companions.append(ProbeRunner(db, clock, workers.owner))
    if role in (ALL, TIMERS):
        workers.companions.append(Pruner(db, clock, settings.retention_days))
    return workers


def handlers(db: Database, settings: Settings, clock: Clock) -> dict[str, Handler]:
    """Every outbox kind's handler, collected from the packages that declare them."""
    http = webhook.client()
    secret = load_secret(settings.link_key_path)
    ctx = paging.PagingContext(db, settings, clock, secret, http)
    sender = Sender(settings.page_name, settings.base_url.rstrip("/"), secret)
    return {
        "webhook": webhook.webhook_handler(http),
        **paging.handlers(ctx),
        **escalation.HANDLERS,
        **deadline_timers.HANDLERS,
        **ingest.HANDLERS,
        **transitions.HANDLERS,
        **public_updates.HANDLERS,
        **fanout.handlers(sender),
        **status_mail.handlers(db, settings, clock),
        **postmortem_reminders.handlers(sender),
    }
