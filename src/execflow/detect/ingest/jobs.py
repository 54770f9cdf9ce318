"""The outbox job of alert intake: a batch of signals, persisted before the reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from execflow.outbox import Job


@dataclass(frozen=True)
class ApplySignals(Job):
    """Each service's signals of one intake batch, in arrival order."""

    KIND: ClassVar[str] = "ingest.signals"
    services: list[dict[str, Any]]
    """`{"service_id", "signals": [Signal.as_json(), ...]}` per service."""
