"""The status page read once a second at most, however many people are looking.

During an outage everyone reloads the status page at once; each request reading the whole
page from the database would put that load on the database the incident is about. The
view (and the HTML made from it) is kept for FRESH_SECONDS. After that the next request
still gets the kept page at once, and starts one rebuild in the background (stale while
revalidate); only the very first request waits for a build. A change, made on any node,
shows within about FRESH_SECONDS plus one build.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from execflow.tell.statuspage.view import StatusView

log = logging.getLogger("execflow.statuspage")
FRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Built:
    """A view, its page's bytes and their ETag."""

    view: StatusView
    html: bytes
    etag: str
    at: float


class StatusCache:
    """Keeps the last build; rebuilds at most one at a time, in the background once warm."""

    def __init__(
        self,
        build: Callable[[], tuple[StatusView, bytes]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._build, self._clock = build, clock
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        self._built: Built | None = None

    def fresh(self) -> Built | None:
        """The kept build, at once (no database); a stale one starts a background rebuild."""
        built = self._built
        if built is None:
            return None
        if not 0 <= self._clock() - built.at < FRESH_SECONDS and self._refreshing.acquire(
            blocking=False
        ):
            threading.Thread(target=self._refresh, name="execflow-status", daemon=True).start()
        return built

    def get(self) -> Built:
        """A build, made now if there is none yet (blocking: call from a worker thread)."""
        with self._lock:
            return self._built or self._make()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until no rebuild is running (tests, and anyone who must read the newest)."""
        if not self._refreshing.acquire(timeout=timeout):
            return False
        self._refreshing.release()
        return True

    def _refresh(self) -> None:
        try:
            with self._lock:
                self._make()
        except Exception:  # the kept page stays; the next request tries again
            log.exception("rebuilding the status page failed")
        finally:
            self._refreshing.release()

    def _make(self) -> Built:
        view, html = self._build()
        etag = '"' + hashlib.sha256(html).hexdigest()[:32] + '"'
        built = Built(view, html, etag, self._clock())
        self._built = built
        return built
