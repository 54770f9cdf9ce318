"""The split worker's child: restarted at once after a long run, with growing back-off when
it keeps dying young; real processes, a moved clock."""

from __future__ import annotations

import sys

from execflow.cli.supervise import MAX_BACKOFF_SECONDS, STABLE_SECONDS, Child

DIES = [sys.executable, "-c", "raise SystemExit(3)"]
LIVES = [sys.executable, "-c", "import time; time.sleep(120)"]


class Clock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _died(child: Child) -> int:
    child.process.wait(timeout=30)
    return child.process.pid


def test_a_child_that_keeps_dying_young_waits_longer_each_time() -> None:
    clock = Clock()
    child = Child(DIES, now=clock)
    waits = []
    for _ in range(8):
        pid = _died(child)
        clock.t += 0.1
        child.keep_alive()  # notices the death and schedules the restart
        waits.append(child.backoff)
        clock.t += child.backoff - 0.05
        child.keep_alive()
        assert child.process.pid == pid, "restarted before its back-off had passed"
        clock.t += 0.05
        child.keep_alive()
        assert child.process.pid != pid
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]
    child.stop()


def test_a_child_that_ran_a_while_is_restarted_at_once_and_stopped_on_request() -> None:
    clock = Clock()
    child = Child(LIVES, now=clock)
    child.backoff = 16.0  # as if it had died young before
    first = child.process
    clock.t += STABLE_SECONDS + 1
    child.keep_alive()
    assert child.process is first, "a running child is left alone"
    first.kill()
    first.wait(timeout=30)
    child.keep_alive()
    assert child.process is not first and child.backoff == 0.0
    second = child.process
    child.stop()
    assert second.wait(timeout=30) is not None
