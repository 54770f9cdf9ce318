"""Console pages kept for a second per session, and dropped by any change to the log.

Every state change appends a log entry, so a page made at log size N is still right while
the log is at N. A page is kept for its session and URL under the log size the log
watcher last saw (`console.live.LogWatch`, read every 0.25 s), for FRESH_SECONDS at
most (what is not logged, such as check results and countdowns, is a second old at most).
A person reloading, or a dashboard on a wall, costs one build a second, not one a
request: while one request makes a page again, the others get the kept one (or, when the
log has just changed, wait for that one build instead of each making their own). Kept
pages are answered ahead of the framework, by their session cookie alone. Signing out
(here or everywhere) and an admin's change in the console drop every kept page at once;
a token revoked through the API, or on another node, is seen within FRESH_SECONDS.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from execflow.console.auth import COOKIE
from execflow.console.live import LogWatch

FRESH_SECONDS = 1.0
MOST_PAGES = 2_000
_PAGES = ("/", "/oncall", "/services", "/monitors", "/audit", "/admin")
_UNDER = ("/incidents/", "/monitors/")


@dataclass(frozen=True)
class _Kept:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    at: float


async def _replay(send: Send, kept: _Kept) -> None:
    await send({"type": "http.response.start", "status": kept.status, "headers": kept.headers})
    await send({"type": "http.response.body", "body": kept.body})


def _cookie(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            jar.load(value.decode("latin-1"))
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class PageCache:
    """Answers repeated GETs of console pages from memory; see the module docstring."""

    def __init__(self, watch: LogWatch, clock: Callable[[], float] = time.monotonic) -> None:
        self._watch, self._clock = watch, clock
        self._kept: dict[tuple[str, str, int], _Kept] = {}
        self._building: dict[tuple[str, str, int], asyncio.Future[None]] = {}

    def _key(self, scope: Scope) -> tuple[str, str, int] | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        path: str = scope["path"]
        if path not in _PAGES and not path.startswith(_UNDER):
            return None
        secret = _cookie(scope)
        size = self._watch.seen()
        if not secret or size is None:
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        if "flash=" in query or "live=" in query:
            return None  # a page after an action, or a live refresh: always made afresh
        who = hashlib.sha256(secret.encode()).hexdigest()
        return who, f"{path}?{query}", size

    def clear(self) -> None:
        """Drop every kept page (someone signed out, or an admin changed who may do what)."""
        self._kept = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        """Answer from memory, or let app answer and keep a successful HTML page."""
        key = self._key(scope)
        if key is None:
            await app(scope, receive, send)
            return
        kept = self._kept.get(key)
        now = self._clock()
        if kept is not None and now - kept.at < FRESH_SECONDS:
            await send(
                {"type": "http.response.start", "status": kept.status, "headers": kept.headers}
            )
            await send({"type": "http.response.body", "body": kept.body})
            return
        parts: list[bytes] = []
        start: list[Message] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.append(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
            await send(message)

        await app(scope, receive, capture)
        if not start or start[0]["status"] != 200:
            return
        headers: list[tuple[bytes, bytes]] = list(start[0].get("headers", []))
        kinds = dict(headers)
        if b"set-cookie" in kinds or not kinds.get(b"content-type", b"").startswith(b"text/html"):
            return
        if len(self._kept) >= MOST_PAGES:
            self._kept = {k: v for k, v in self._kept.items() if now - v.at < FRESH_SECONDS}
            if len(self._kept) >= MOST_PAGES:
                self._kept = {}
        self._kept[key] = _Kept(200, headers, b"".join(parts), now)
