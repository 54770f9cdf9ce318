"""The background loops: sign checkpoints and deliver the outbox, both lease-safe."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from execflow import outbox
from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.ids import new_id
from execflow.prove.log import store
from execflow.prove.log.integrate import Signed, integrate
from execflow.prove.log.note import Signer

log = logging.getLogger("execflow.workers")

DEFAULT_LEASE = timedelta(seconds=60)


@dataclass(frozen=True)
class Outcome:
    """How one delivery went: done (with follow-up work) or failed (with the error)."""

    item: outbox.Claimed
    after: outbox.AfterDelivery | None
    error: str | None


class Companion(Protocol):
    """Another background loop that starts and stops with the workers (the probe runner)."""

    def start(self) -> None:
        """Start."""
        ...

    def stop(self) -> None:
        """Stop."""
        ...


class Workers:
    """Runs the integrator and the outbox delivery loops; several may share one database."""

    def __init__(
        self,
        db: Database,
        signer: Signer,
        clock: Clock,
        settings: Settings,
        *,
        handlers: Mapping[str, outbox.Handler],
        owner: str | None = None,
        delivery_threads: int = 16,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.db = db
        self.signer = signer
        self.clock = clock
        self.settings = settings
        self.handlers = dict(handlers)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{new_id('w')}"
        self.lease = lease
        self._pool = ThreadPoolExecutor(delivery_threads, thread_name_prefix="execflow-deliver")
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.companions: list[Companion] = []

    def integrate_once(self) -> Signed | None:
        """Sign a checkpoint covering every committed entry (up to one batch)."""
        # Look before taking the write lock: an idle log costs one cheap read.
        with self.db.read() as session:
            if store.is_signed_up_to_date(session):
                return None
        with self.db.write() as session:
            return integrate(session, signer=self.signer, now=self.clock.now())

    def deliver_once(self, limit: int = 256, kinds: list[str] | None = None) -> int:
        """Claim due outbox rows, deliver them in parallel, record the outcomes together.

        Deliveries run in parallel threads; their outcomes (done, with any follow-up
        database work, or failed) are then written in one transaction, so a batch costs
        one commit instead of one per row. If that transaction fails, each outcome is
        written on its own so one bad row cannot hold back the rest.
        """
        with self.db.read() as session:
            wanted = kinds if kinds is not None else list(self.handlers)
            if not outbox.has_due(session, now=self.clock.now(), kinds=wanted):
                return 0
        with self.db.write() as session:
            items = outbox.claim(
                session,
                owner=self.owner,
                now=self.clock.now(),
                limit=limit,
                lease=self.lease,
                kinds=wanted,
            )
        outcomes = list(self._pool.map(self._attempt, items))
        try:
            with self.db.write() as session:
                self._settle_all(session, outcomes)
        except Exception:
            log.exception(
                "recording %d outcomes together failed; recording one by one", len(outcomes)
            )
            for outcome in outcomes:
                try:
                    with self.db.write() as session:
                        self._settle(session, outcome)
                except Exception:  # its lease runs out and the row is tried again
                    log.exception("recording outbox %s failed", outcome.item.id)
        return len(items)

    def _attempt(self, item: outbox.Claimed) -> Outcome:
        try:
            return Outcome(item, self.handlers[item.kind].deliver(item), None)
        except Exception as exc:  # any delivery failure is retried, never lost
            log.warning("delivery of outbox %s (%s) failed: %s", item.id, item.kind, exc)
            return Outcome(item, None, f"{type(exc).__name__}: {exc}")

    def _settle_all(self, session: Session, outcomes: list[Outcome]) -> None:
        done = [o for o in outcomes if o.error is None]
        held = outbox.complete_many(
            session, item_ids=[o.item.id for o in done], owner=self.owner, now=self.clock.now()
        )
        # No autoflush: rows the follow-up work adds (pages, timeline events, outbox rows)
        # are written together at commit, in a few multi-row INSERTs instead of many.
        with session.no_autoflush:
            for outcome in done:
                if outcome.item.id in held and outcome.after is not None:
                    outcome.after(session)
        for outcome in outcomes:
            if outcome.error is not None:
                self._settle(session, outcome)

    def _settle(self, session: Session, outcome: Outcome) -> None:
        item, now = outcome.item, self.clock.now()
        if outcome.error is not None:
            state = outbox.fail(
                session, item_id=item.id, owner=self.owner, now=now, error=outcome.error
            )
            failed = self.handlers[item.kind].failed
            if state is not None and failed is not None:
                failed(session, item, outcome.error, state == outbox.DEAD)
            return
        if outbox.complete(session, item_id=item.id, owner=self.owner, now=now) and outcome.after:
            outcome.after(session)

    def run_timers(self) -> int:
        """Deliver due database-only work: escalation steps, deadline checks, reminders."""
        return self.deliver_once(kinds=[k for k, h in self.handlers.items() if h.inline])

    def send_messages(self) -> int:
        """Deliver due messages to the outside: e-mail and webhooks."""
        return self.deliver_once(kinds=[k for k, h in self.handlers.items() if not h.inline])

    def _loop(self, name: str, interval: float, step: str) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                result = getattr(self, step)()
                busy = bool(result)
            except Exception:
                log.exception("%s step failed; retrying", name)
            if not busy:
                self._stop.wait(interval)

    def start(self) -> None:
        """Start the loops in daemon threads."""
        self._stop.clear()
        for companion in self.companions:
            companion.start()
        loops = [
            ("integrator", self.settings.checkpoint_interval_seconds, "integrate_once"),
            # Two loops, so a slow mail server never holds back escalation timers.
            ("timers", 0.2, "run_timers"),
            ("messages", 0.2, "send_messages"),
        ]
        for name, interval, step in loops:
            thread = threading.Thread(
                target=self._loop,
                args=(name, interval, step),
                name=f"execflow-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the loops and give back held leases."""
        self._stop.set()
        for companion in self.companions:
            companion.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        self._pool.shutdown(wait=True)
        with self.db.write() as session:
            outbox.release(session, owner=self.owner)

    def wait(self) -> None:
        """Block until stop() is called from elsewhere."""
        self._stop.wait()
