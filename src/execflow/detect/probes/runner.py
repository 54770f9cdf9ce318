"""The probe scheduler: claims due monitors with leases and runs their checks concurrently.

Checks run as asyncio tasks in one thread, each bounded by its own timeout, so a slow
target never delays another monitor's check. HTTP checks are spread over POOLS clients
(a monitor always uses the same one, so its connection is kept alive): httpx's pool scans
all its connections and waiting requests for every request it starts or finishes, which
with thousands of checks in flight in one pool cost more than the checks themselves.
Claims and results go through the database in batches (one transaction per claim round,
one per flush of finished results), and a claim is a lease: several nodes share the
monitors, and a dead node's monitors are claimed by the others once its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import zlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

import httpx

from execflow.clock import Clock
from execflow.db import Database
from execflow.detect.probes import checks, service

log = logging.getLogger("execflow.probes")
CLAIM_EVERY = 0.1
IDLE_AT_MOST = 1.0  # a monitor created meanwhile is seen this soon
FLUSH_EVERY = 0.2
LEASE = timedelta(seconds=30)
MAX_IN_FLIGHT = 2000
POOLS = 16


@contextlib.asynccontextmanager
async def _clients() -> AsyncIterator[list[httpx.AsyncClient]]:
    # Each pool may open as many connections as checks may be in flight, so no check ever
    # queues for a connection behind slow targets that happen to share its pool.
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=100 // POOLS)
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(
                httpx.AsyncClient(limits=limits, verify=checks.tls_context())
            )
            for _ in range(POOLS)
        ]


class ProbeRunner:
    """Runs checks until stopped."""

    def __init__(self, db: Database, clock: Clock, owner: str) -> None:
        self.db, self.clock, self.owner = db, clock, owner
        self._finished: list[tuple[str, checks.Outcome, datetime]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    def claim(self, limit: int = 500) -> list[service.Due]:
        """Lease the monitors due now."""
        with self.db.write() as session:
            return service.claim_due(
                session, owner=self.owner, now=self.clock.now(), limit=limit, lease=LEASE
            )

    def flush(self) -> int:
        """Record finished checks in one transaction; a failed write keeps them for the next.

        A result is kept while its monitor's lease (at least LEASE past the check) is still
        this runner's, so no other node can have checked the monitor since and the states
        still step in order; older ones are dropped with a warning (a gap, not an outage).
        """
        finished, self._finished = self._finished, []
        now = self.clock.now()
        batch = [result for result in finished if now - result[2] < LEASE]
        if len(batch) < len(finished):
            log.warning("dropping %d probe results past their lease", len(finished) - len(batch))
        if not batch:
            return 0
        try:
            with self.db.write() as session:
                service.record(session, owner=self.owner, results=batch)
        except Exception:
            self._finished[:0] = batch  # before any finished meanwhile: order is kept
            raise
        return len(batch)

    def pause(self, claimed: int) -> float:
        """Seconds until the next claim round: soon while busy, else until the next is due.

        An idle node reads when the next monitor falls due instead of taking a write
        transaction ten times a second for nothing (on SQLite, the one write lock).
        """
        if claimed:
            return CLAIM_EVERY
        with self.db.read() as session:
            due = service.next_due(session)
        if due is None:
            return IDLE_AT_MOST
        wait = (due - self.clock.now()).total_seconds()
        return min(max(wait, CLAIM_EVERY), IDLE_AT_MOST)

    async def check(self, clients: Sequence[httpx.AsyncClient], due: service.Due) -> None:
        """Run one check (on the monitor's own client pool) and queue its result."""
        outcome = await checks.run(
            clients[zlib.crc32(due.id.encode()) % len(clients)],
            kind=due.kind,
            target=due.target,
            expect=due.expect,
            timeout=due.timeout,
            interval=due.interval,
            last_heartbeat_at=due.last_heartbeat_at,
            now=self.clock.now(),
        )
        self._finished.append((due.id, outcome, self.clock.now()))

    async def round(self, clients: Sequence[httpx.AsyncClient]) -> int:
        """One claim round: start a task per due monitor (as room allows)."""
        room = MAX_IN_FLIGHT - len(self._in_flight)
        if room <= 0:
            return 0
        claimed = await asyncio.to_thread(self.claim, min(room, 500))
        for due in claimed:
            task = asyncio.create_task(self.check(clients, due))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    async def run_until_idle(self) -> None:
        """Claim, check and record until nothing is due or running (for tests)."""
        async with _clients() as clients:
            while await self.round(clients) or self._in_flight:
                if self._in_flight:
                    await asyncio.wait(self._in_flight)
            await asyncio.to_thread(self.flush)

    async def _main(self) -> None:
        async with _clients() as clients:
            # Recording runs beside claiming, not between rounds: a slow write (the other
            # node holds SQLite's lock) must not make the next claim late.
            recorder = asyncio.create_task(self._record_every())
            while not self._stop.is_set():
                try:
                    claimed = await self.round(clients)
                    wait = await asyncio.to_thread(self.pause, claimed)
                except Exception:
                    log.exception("probe round failed; retrying")
                    wait = CLAIM_EVERY
                await asyncio.sleep(wait)
            if self._in_flight:
                await asyncio.wait(self._in_flight, timeout=5)
            recorder.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recorder
            await asyncio.to_thread(self.flush)

    async def _record_every(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_EVERY)
            try:
                await asyncio.to_thread(self.flush)
            except Exception:
                log.exception("recording probe results failed; retrying")

    def start(self) -> None:
        """Run in a daemon thread."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main()), name="execflow-probes", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop after recording what finished."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
