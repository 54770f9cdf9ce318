"""The background loops: sign checkpoints and deliver the outbox, both lease-safe."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

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
        delivery_threads: int = 8,
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

    def integrate_once(self) -> Signed | None:
        """Sign a checkpoint covering every committed entry (up to one batch)."""
        # Look before taking the write lock: an idle log costs one cheap read.
        with self.db.read() as session:
            if store.is_signed_up_to_date(session):
                return None
        with self.db.write() as session:
            return integrate(session, signer=self.signer, now=self.clock.now())

    def deliver_once(self, limit: int = 64) -> int:
        """Claim due outbox rows, deliver them in parallel, record each outcome."""
        with self.db.read() as session:
            if not outbox.has_due(session, now=self.clock.now(), kinds=list(self.handlers)):
                return 0
        with self.db.write() as session:
            items = outbox.claim(
                session,
                owner=self.owner,
                now=self.clock.now(),
                limit=limit,
                lease=self.lease,
                kinds=list(self.handlers),
            )
        for future in [self._pool.submit(self._deliver, item) for item in items]:
            future.result()
        return len(items)

    def _deliver(self, item: outbox.Claimed) -> None:
        handler = self.handlers[item.kind]
        try:
            after = handler.deliver(item)
        except Exception as exc:  # any delivery failure is retried, never lost
            log.warning("delivery of outbox %s (%s) failed: %s", item.id, item.kind, exc)
            error = f"{type(exc).__name__}: {exc}"
            with self.db.write() as session:
                state = outbox.fail(
                    session, item_id=item.id, owner=self.owner, now=self.clock.now(), error=error
                )
                if state is not None and handler.failed is not None:
                    handler.failed(session, item, error, state == outbox.DEAD)
            return
        with self.db.write() as session:
            done = outbox.complete(session, item_id=item.id, owner=self.owner, now=self.clock.now())
            if done and after is not None:
                after(session)

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
        loops = [
            ("integrator", self.settings.checkpoint_interval_seconds, "integrate_once"),
            ("outbox", 0.2, "deliver_once"),
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
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        self._pool.shutdown(wait=True)
        with self.db.write() as session:
            outbox.release(session, owner=self.owner)

    def wait(self) -> None:
        """Block until stop() is called from elsewhere."""
        self._stop.wait()
