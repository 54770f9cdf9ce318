"""Every outbox kind this build delivers, wired to its handler (used by serve and worker)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.delivery.webhook import WEBHOOK
from execflow.detect.ingest import service as ingest
from execflow.detect.probes import transitions
from execflow.detect.probes.runner import ProbeRunner
from execflow.outbox import AfterDelivery, Claimed, Handler
from execflow.prove.log.note import Signer
from execflow.respond.escalation import run as escalation
from execflow.respond.incidents import service as incidents
from execflow.respond.paging import deliver as paging
from execflow.respond.paging.links import load_secret
from execflow.workers import Workers


def background(db: Database, signer: Signer, clock: Clock, settings: Settings) -> Workers:
    """Everything that runs in the background: outbox workers, integrator, probe runner."""
    workers = Workers(db, signer, clock, settings, handlers=handlers(db, settings, clock))
    workers.companions.append(ProbeRunner(db, clock, workers.owner))
    return workers


def in_transaction(clock: Clock, work: Callable[..., None]) -> Handler:
    """A handler whose whole work is database work, done where the row is completed."""

    def deliver(item: Claimed) -> AfterDelivery:
        def after(session: Session) -> None:
            work(session, item.payload, now=clock.now())

        return after

    return Handler(deliver, inline=True)


def handlers(db: Database, settings: Settings, clock: Clock) -> dict[str, Handler]:
    """The outbox handlers, keyed by kind."""
    ctx = paging.PagingContext(db, settings, clock, load_secret(settings.link_key_path))
    return {
        "webhook": WEBHOOK,
        **paging.handlers(ctx),
        escalation.ESCALATE: in_transaction(clock, escalation.run_step),
        incidents.DEADLINE: in_transaction(clock, incidents.check_deadline),
        incidents.COMMANDER_REMINDER: in_transaction(clock, incidents.remind_commander),
        ingest.APPLY: in_transaction(clock, ingest.apply),
        transitions.SETTLE: in_transaction(clock, transitions.settle),
    }
