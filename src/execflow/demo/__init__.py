"""Demo data for `make run`: enough of everything built so far to see the product work.

Idempotent: each part is added once. The demo pages real people only by `.eml` files in
the data dir unless EXECFLOW_SMTP_URL points at a mail server.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.demo.actor import DEMO_ACTOR
from execflow.demo.respond import load_respond
from execflow.demo.tell import load_tell
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.prove.log.models import LogEntry

_EVENTS: list[tuple[str, Ref, dict[str, Any]]] = [
    ("custom.deploy", Ref("service", "checkout-api"), {"version": "2026.11.3", "by": "ci"}),
    ("custom.config_change", Ref("service", "checkout-api"), {"setting": "pool_size", "to": 40}),
    ("custom.manual_check", Ref("component", "payments"), {"result": "ok"}),
    ("custom.deploy", Ref("service", "status-page"), {"version": "1.4.0", "by": "ci"}),
]


def load_demo(session: Session, *, now: datetime, base_url: str) -> int:
    """Load every part of the demo not loaded yet; returns how many records were added."""
    return _events(session, now) + load_respond(session, now, base_url) + load_tell(session, now)


def _events(session: Session, now: datetime) -> int:
    seen = session.execute(
        select(LogEntry.idx).where(LogEntry.subject_id == "checkout-api").limit(1)
    ).first()
    if seen is not None:
        return 0
    for offset, (kind, subject, data) in enumerate(_EVENTS):
        at = now - timedelta(minutes=10 * (len(_EVENTS) - offset))
        append(session, type=kind, at=at, actor=DEMO_ACTOR, subject=subject, data=data)
    return len(_EVENTS)
