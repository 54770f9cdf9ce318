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
from execflow.respond.incidents import deadline_timers, escalation
from execflow.respond.paging import sending as paging
from execflow.respond.paging.links import load_secret
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
    ctx = paging.PagingContext(db, settings, clock, load_secret(settings.link_key_path), http)
    return {
        "webhook": webhook.webhook_handler(http),
        **paging.handlers(ctx),
        **escalation.HANDLERS,
        **deadline_timers.HANDLERS,
        **ingest.HANDLERS,
        **transitions.HANDLERS,
    }
