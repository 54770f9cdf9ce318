"""The frozen escalation as a value: read from old rows, moved only by its verbs."""

from __future__ import annotations

from execflow.respond.escalation.plan import Position
from execflow.respond.escalation.snapshot import Snapshot

STEPS = [
    {"delay_minutes": 0, "targets": [{"type": "schedule", "id": "sch_1"}]},
    {"delay_minutes": 5, "targets": [{"type": "person", "id": "per_1"}]},
]


def test_a_row_stored_before_runs_existed_reads_as_run_zero() -> None:
    old = {"policy_id": "esc_1", "steps": STEPS, "repeat": 1, "cycle": 0, "step": 1, "active": True}
    snapshot = Snapshot.from_json(old)
    assert (snapshot.run, snapshot.paused, snapshot.waiting_for) == (0, False, Position(0, 1))
    assert Snapshot.from_json(snapshot.as_json()) == snapshot


def test_each_verb_moves_the_run_as_it_says() -> None:
    running = Snapshot("esc_1", STEPS, repeat=0).at(Position(0, 1))
    held = running.held()
    assert (held.active, held.paused, held.run) == (False, True, 0)
    resumed = held.resumed()
    assert (resumed.active, resumed.paused, resumed.run, resumed.waiting_for) == (
        True,
        False,
        1,
        Position(0, 1),
    )
    restarted = resumed.restarted()
    assert (restarted.run, restarted.waiting_for) == (2, Position(0, 0))
    assert not restarted.stopped().active and not held.stopped().paused


def test_names_finds_people_and_schedules_in_any_step() -> None:
    snapshot = Snapshot("esc_1", STEPS, repeat=0)
    assert snapshot.names("schedule", "sch_1") and snapshot.names("person", "per_1")
    assert not snapshot.names("person", "sch_1") and not snapshot.names("person", None)
