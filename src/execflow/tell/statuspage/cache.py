"""The status page read once a second at most, however many people are looking.

During an outage everyone reloads the status page at once; each request reading the whole
page from the database would put that load on the database the incident is about. The
view (and the HTML made from it) is kept for FRESH_SECONDS; one request rebuilds it while
the others wait for that one build, never each their own. A change, made on any node, shows
within FRESH_SECONDS.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from execflow.tell.statuspage.view import StatusView

FRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Built:
    """A view, its page's bytes and their ETag."""

    view: StatusView
    html: bytes
    etag: str
    at: float


class StatusCache:
    """Keeps the last build while fresh; builds under a lock so one request builds at a time."""

    def __init__(
        self,
        build: Callable[[], tuple[StatusView, bytes]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._build, self._clock = build, clock
        self._lock = threading.Lock()
        self._built: Built | None = None

    def fresh(self) -> Built | None:
        """The last build if it is still fresh (no waiting, no database)."""
        built = self._built
        if built is None or self._clock() - built.at >= FRESH_SECONDS:
            return None
        return built

    def get(self) -> Built:
        """A fresh build, made now if needed (blocking: call from a worker thread)."""
        with self._lock:
            built = self.fresh()
            if built is None:
                view, html = self._build()
                etag = '"' + hashlib.sha256(html).hexdigest()[:32] + '"'
                built = Built(view, html, etag, self._clock())
                self._built = built
            return built
