"""Every outbox kind this build delivers, wired to its handler (used by serve and worker)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery.webhook import WEBHOOK
from execflow.detect.ingest import service as ingest
from execflow.detect.probes import transitions
from execflow.detect.probes.runner import ProbeRunner
from execflow.ops.retention import Pruner
from execflow.outbox import Claimed, Handler
from execflow.prove.log.note import Signer
from execflow.respond.incidents import deadline_timers as incidents
from execflow.respond.incidents import escalation
from execflow.respond.maintenance import service as maintenance
from execflow.respond.paging import deliver as paging
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


def one_by_one(work: Callable[..., None]) -> Handler:
    """A timer whose work handles one item at a time, in the transaction that completes it."""

    def done(session: Session, items: Sequence[Claimed], now: datetime) -> None:
        for item in items:
            work(session, item.payload, now=now)

    return Handler(done=done)


def all_at_once(work: Callable[..., None], *, serial: bool = False) -> Handler:
    """A timer whose work takes the payloads of a whole claimed batch in one call."""

    def done(session: Session, items: Sequence[Claimed], now: datetime) -> None:
        work(session, [item.payload for item in items], now=now)

    return Handler(done=done, serial=serial)


def handlers(db: Database, settings: Settings, clock: Clock) -> dict[str, Handler]:
    """The outbox handlers, keyed by kind."""
    ctx = paging.PagingContext(db, settings, clock, load_secret(settings.link_key_path))
    return {
        "webhook": WEBHOOK,
        **paging.handlers(ctx),
        escalation.ESCALATE: Handler(done=escalation.run_steps),
        incidents.DEADLINE: one_by_one(incidents.check_deadline),
        incidents.COMMANDER_REMINDER: one_by_one(incidents.remind_commander),
        ingest.APPLY: all_at_once(ingest.apply, serial=True),
        transitions.SETTLE: one_by_one(transitions.settle),
        maintenance.ENDED: one_by_one(transitions.after_maintenance),
    }
