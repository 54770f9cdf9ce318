"""The escalation frozen onto an incident: the policy's steps as they were, and where its
run stands. Stored as JSON on the incident; read and written only through this value."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from execflow.respond.escalation.plan import Position


@dataclass(frozen=True)
class Snapshot:
    """A frozen policy and its run: the step it waits for, and whether it is running."""

    policy_id: str
    steps: list[dict[str, Any]]
    repeat: int
    cycle: int = 0
    step: int = 0
    run: int = 0
    """Bumped by a restart or a resume: timers of an earlier run are no-ops."""
    active: bool = True
    paused: bool = False
    """Held because the monitored target recovered; a relapse resumes it."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        """The value of a stored snapshot (older rows lack `run` and `paused`)."""
        return cls(
            policy_id=str(data["policy_id"]),
            steps=list(data["steps"]),
            repeat=int(data["repeat"]),
            cycle=int(data.get("cycle", 0)),
            step=int(data.get("step", 0)),
            run=int(data.get("run", 0)),
            active=bool(data.get("active", False)),
            paused=bool(data.get("paused", False)),
        )

    def as_json(self) -> dict[str, Any]:
        """What is stored on the incident."""
        return asdict(self)

    @property
    def waiting_for(self) -> Position:
        """The step the run waits for."""
        return Position(self.cycle, self.step)

    def at(self, position: Position) -> Snapshot:
        """The same run, now waiting for position."""
        return replace(self, cycle=position.cycle, step=position.step)

    def restarted(self) -> Snapshot:
        """A new run from the first step."""
        return replace(self, cycle=0, step=0, run=self.run + 1, active=True, paused=False)

    def held(self) -> Snapshot:
        """The run paused (its target recovered)."""
        return replace(self, active=False, paused=True)

    def resumed(self) -> Snapshot:
        """A new run at the step it waited for."""
        return replace(self, run=self.run + 1, active=True, paused=False)

    def stopped(self) -> Snapshot:
        """The run over (answered, or out of steps)."""
        return replace(self, active=False, paused=False)

    def names(self, kind: str, target_id: str | None) -> bool:
        """Whether a step targets this person or schedule."""
        return target_id is not None and any(
            t["type"] == kind and t["id"] == target_id
            for step in self.steps
            for t in step["targets"]
        )
