"""What the running app holds: settings, database, clock, log key and metrics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry

from execflow.access.cache import TokenCache
from execflow.clock import Clock
from execflow.config import Settings
from execflow.db import Database
from execflow.group_commit import GroupCommit
from execflow.prove.log.note import Signer
from execflow.web.throttle import Throttle


@dataclass
class AppState:
    """Everything a request handler may need, built once at start-up."""

    settings: Settings
    db: Database
    clock: Clock
    signer: Signer
    link_secret: bytes
    writes: GroupCommit
    tokens: TokenCache = field(default_factory=TokenCache)
    """Where request handlers make their changes: concurrent requests share one commit."""
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    throttle: Throttle = field(default_factory=Throttle)
    on_key_rotated: list[Callable[[], None]] = field(default_factory=list)
    """Called after a credential is rotated, so caches of this process forget the old one."""
