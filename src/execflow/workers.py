"""The background loops: sign checkpoints and deliver the outbox, both lease-safe."""

from __future__ import annotations

import logging
import math
import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from execflow import outbox
from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.ids import new_id
from execflow.log_signing import sign_new_entries
from execflow.prove.log.integrate import Signed
from execflow.prove.log.note import Signer
from execflow.settling import Outcome, attempt, settle

log = logging.getLogger("execflow.workers")

DEFAULT_LEASE = timedelta(seconds=60)
POLL_SECONDS = 0.2
"""How often an idle loop looks for work queued by other processes."""
MESSAGES_ALONE_POLL_SECONDS = 0.05
ALL, TIMERS, MESSAGES, PROBES = "all", "timers", "messages", "probes"
ROLES = (ALL, TIMERS, MESSAGES, PROBES)
"""What a worker process runs: everything; the integrator, timers and probes; the message
loops (e-mail and webhooks); or probes alone. `execflow worker` on SQLite runs the second
and third as two processes, so sending never competes with timers for one interpreter
lock; extra `probes` processes share the monitors (through their leases) with the rest."""
MESSAGE_LOOPS = 2
"""Message loops per worker: while one records a sent batch, the other is sending."""
MESSAGE_BATCH = 128
TIMER_BATCH = 128
"""Batch sizes: small enough that the first pages leave while later steps are still run."""
DELIVERY_THREADS = 16
"""Messages one worker process may have in flight at once."""
RECORD_EVERY = 16
"""Sent messages recorded per transaction while a batch is still being sent."""
SWITCH_INTERVAL_SECONDS = 0.0005


class Companion(Protocol):
    """Another background loop that starts and stops with the workers (the probe runner)."""

    def start(self) -> None:
        """Start."""
        ...

    def stop(self) -> None:
        """Stop."""
        ...


class Workers:
    """Runs the integrator and the outbox delivery loops; several may share one database.

    `role` picks the loops this process runs (see ROLES); `companions` (the probe runner)
    start and stop with it.
    """

    def __init__(
        self,
        db: Database,
        signer: Signer,
        clock: Clock,
        settings: Settings,
        *,
        handlers: Mapping[str, outbox.Handler],
        owner: str | None = None,
        delivery_threads: int = DELIVERY_THREADS,
        lease: timedelta = DEFAULT_LEASE,
        role: str = ALL,
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        self.role = role
        self.db = db
        self.signer = signer
        self.clock = clock
        self.settings = settings
        self.handlers = dict(handlers)
        self._serial = frozenset(kind for kind, h in self.handlers.items() if h.serial)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{new_id('w')}"
        self.lease = lease
        self._pool = ThreadPoolExecutor(delivery_threads, thread_name_prefix="execflow-deliver")
        self._stop = threading.Event()
        names = ["integrator", "timers", *(f"messages-{n}" for n in range(MESSAGE_LOOPS))]
        self._wake = {name: threading.Event() for name in names}
        self._waits: dict[tuple[str, ...], float] = {}
        self._busy: set[tuple[str, ...]] = set()
        self._threads: list[threading.Thread] = []
        self.companions: list[Companion] = []

    def integrate_once(self) -> Signed | None:
        """Sign a checkpoint covering every committed entry (up to one batch)."""
        return sign_new_entries(self.db, self.signer, self.clock)

    def deliver_once(self, limit: int = 256, kinds: list[str] | None = None) -> int:
        """Claim due outbox rows, deliver them in parallel, record the outcomes together.

        Deliveries run in parallel threads; their outcomes (done, with each kind's database
        work, or failed) are written RECORD_EVERY at a time as they complete, so a batch
        costs a few commits instead of one per row. If such a transaction fails, each
        outcome is written on its own so one bad row cannot hold back the rest.

        When every wanted kind is database work only, claiming, the work and completing
        share one transaction: nothing leaves the database, so no lease is needed between.
        On PostgreSQL, right after a batch the next call claims at once without first asking
        what is due.
        """
        wanted = kinds if kinds is not None else list(self.handlers)
        if tuple(wanted) in self._busy:  # more is likely due: claim without asking first
            self._busy.discard(tuple(wanted))
        else:
            wait = self.due_in(wanted)
            if wait > 0:
                self._waits[tuple(wanted)] = wait  # the idle loop sleeps this long
                return 0
        done = self._deliver(wanted, limit)
        # On SQLite asking is a local read and an empty claim would take the write lock;
        # on PostgreSQL asking is a round trip that a busy loop can skip.
        if done and not self.db.is_sqlite:
            self._busy.add(tuple(wanted))
        return done

    def _deliver(self, wanted: list[str], limit: int) -> int:
        if all(self.handlers[kind].inline for kind in wanted):
            try:
                with self.db.write() as session:
                    items = self._claim(session, limit, wanted)
                    self._settle_all(session, [Outcome(i, None) for i in items])
                return len(items)
            except Exception:  # rolled back whole; claim again and record one by one
                log.exception("a batch of timers failed; running them one by one")
        with self.db.write() as session:
            items = self._claim(session, limit, wanted)
        sending = [i for i in items if not self.handlers[i.kind].inline]
        outcomes = [Outcome(i, None) for i in items if self.handlers[i.kind].inline]
        # Sent messages are recorded a few at a time as they complete, not once for the
        # whole batch: a worker killed mid-batch leaves at most that many sent-but-unrecorded
        # rows for another worker to send again (the same message: same ids).
        for future in as_completed([self._pool.submit(self._attempt, i) for i in sending]):
            outcomes.append(future.result())
            if len(outcomes) >= RECORD_EVERY:
                self._record(outcomes)
                outcomes = []
        self._record(outcomes)
        return len(items)

    def _record(self, outcomes: list[Outcome]) -> None:
        """Write outcomes in one transaction; if that fails, each on its own."""
        if not outcomes:
            return
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
                        self._settle_all(session, [outcome])
                except Exception:  # its lease runs out and the row is tried again
                    log.exception("recording outbox %s failed", outcome.item.id)

    def _claim(self, session: Session, limit: int, kinds: list[str]) -> list[outbox.Claimed]:
        return outbox.claim(
            session,
            owner=self.owner,
            now=self.clock.now(),
            limit=limit,
            lease=self.lease,
            kinds=kinds,
            serial=self._serial,
        )

    def _attempt(self, item: outbox.Claimed) -> Outcome:
        return attempt(self.handlers, item)

    def _settle_all(self, session: Session, outcomes: list[Outcome]) -> None:
        settle(session, self.handlers, outcomes, owner=self.owner, now=self.clock.now())

    def due_in(self, kinds: list[str]) -> float:
        """Seconds until the soonest of these kinds falls due (0 if one is due, inf if none)."""
        now = self.clock.now()
        with self.db.read() as session:
            soonest = outbox.next_due(session, now=now, kinds=kinds)
        return math.inf if soonest is None else max(0.0, (soonest - now).total_seconds())

    def timer_kinds(self) -> list[str]:
        """Kinds that are database work only: escalation steps, deadline checks, reminders."""
        return [k for k, h in self.handlers.items() if h.inline]

    def message_kinds(self) -> list[str]:
        """Kinds sent to the outside: e-mail and webhooks."""
        return [k for k, h in self.handlers.items() if not h.inline]

    def run_timers(self) -> int:
        """Deliver due database-only work; wake the message loop when there was some."""
        done = self.deliver_once(limit=TIMER_BATCH, kinds=self.timer_kinds())
        if done:  # the work may have queued pages
            for name, wake in self._wake.items():
                if name.startswith("messages"):
                    wake.set()
        return done

    def send_messages(self) -> int:
        """Deliver due messages to the outside: e-mail and webhooks."""
        return self.deliver_once(limit=MESSAGE_BATCH, kinds=self.message_kinds())

    def _loop(self, name: str, step: Callable[[], object], pause: Callable[[], float]) -> None:
        """Run step until stopped; when idle, sleep for pause() or until woken."""
        wake = self._wake[name]
        while not self._stop.is_set():
            busy = False
            try:
                busy = bool(step())
            except Exception:
                log.exception("%s step failed; retrying", name)
            if not busy:
                wake.wait(pause())
                wake.clear()

    def _pause_for(self, kinds: Callable[[], list[str]], poll: float) -> Callable[[], float]:
        """Sleep until the soonest row is due (as the last look found), at most poll seconds."""
        return lambda: min(poll, self._waits.pop(tuple(kinds()), poll))

    def start(self) -> None:
        """Start the loops in daemon threads."""
        # The delivery threads mostly wait on sockets; a short GIL switch interval lets them
        # get back in quickly while a timer batch is busy on the CPU (5 ms by default).
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        self._stop.clear()
        for companion in self.companions:
            companion.start()
        checkpoint_every = self.settings.checkpoint_interval_seconds
        loops: list[tuple[str, Callable[[], object], Callable[[], float]]] = []
        if self.role in (ALL, TIMERS):
            loops += [
                ("integrator", self.integrate_once, lambda: checkpoint_every),
                # Timers apart from messages, so a slow mail server never holds them back.
                ("timers", self.run_timers, self._pause_for(self.timer_kinds, POLL_SECONDS)),
            ]
        if self.role in (ALL, MESSAGES):
            # Alone in a process, nothing wakes the message loops: they look more often.
            poll = POLL_SECONDS if self.role == ALL else MESSAGES_ALONE_POLL_SECONDS
            loops += [
                (f"messages-{n}", self.send_messages, self._pause_for(self.message_kinds, poll))
                for n in range(MESSAGE_LOOPS)
            ]
        for name, step, pause in loops:
            thread = threading.Thread(
                target=self._loop,
                args=(name, step, pause),
                name=f"execflow-{name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the loops and give back held leases."""
        self._stop.set()
        for wake in self._wake.values():
            wake.set()
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

    def stopped(self, timeout: float) -> bool:
        """Wait up to timeout for stop(); whether it was called."""
        return self._stop.wait(timeout)
