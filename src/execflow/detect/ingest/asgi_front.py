"""The alert intake paths answered straight from ASGI, ahead of routing and middleware.

Alert floods are the busiest traffic the server sees, and for a request this small the
framework's middleware, routing and dependency layers cost more than the work itself
(profiled: about half the HTTP thread's time per event). The front recognises the
intake paths by string comparison, reads the body, calls `Intake`, counts the request in
the same metrics as every other path and answers. Anything else, and any method but
POST, goes on to the application unchanged.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.types import Receive, Scope, Send

from execflow.detect.ingest.intake import MAX_BODY, Intake, Reply
from execflow.ops.metrics import HttpCounters

log = logging.getLogger("execflow.ingest")
PAGERDUTY = "/v2/enqueue"
CHANGE = "/v2/change/enqueue"
_AM_PREFIX = "/api/v1/integrations/"
_AM_SUFFIX = "/alertmanager"
AM_TEMPLATE = _AM_PREFIX + "{key}" + _AM_SUFFIX
_INTERNAL = {
    "error": {"code": "internal_error", "message": "an unexpected error occurred", "details": []}
}


def _alertmanager_key(path: str) -> str | None:
    if not (path.startswith(_AM_PREFIX) and path.endswith(_AM_SUFFIX)):
        return None
    key = path[len(_AM_PREFIX) : -len(_AM_SUFFIX)]
    return key if key and "/" not in key else None


class IntakeFront:
    """Answers POSTs to the intake paths; `handles(scope)` says whether it takes a request."""

    def __init__(self, intake: Intake, counters: HttpCounters) -> None:
        self.intake, self.counters = intake, counters

    def handles(self, scope: Scope) -> bool:
        """Whether this is an intake request (HTTP POST to one of the intake paths)."""
        if scope["type"] != "http" or scope["method"] != "POST":
            return False
        path: str = scope["path"]
        return path in (PAGERDUTY, CHANGE) or _alertmanager_key(path) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        path: str = scope["path"]
        template = AM_TEMPLATE if path not in (PAGERDUTY, CHANGE) else path
        try:
            raw = await _body(receive)
            if raw is None:
                return  # the client went away; nobody to answer
            reply = await self._answer(path, raw)
        except Exception:
            log.exception("unhandled error in alert intake")
            reply = Reply(500, _INTERNAL)
        await _send(send, reply)
        self.counters.record("POST", template, reply.status, time.perf_counter() - started)

    async def _answer(self, path: str, raw: bytes) -> Reply:
        if path == PAGERDUTY:
            return await self.intake.pagerduty(raw)
        if path == CHANGE:
            return self.intake.change_event(raw)
        # handles() admitted only these three shapes; the key is what lies between.
        return await self.intake.alertmanager(path[len(_AM_PREFIX) : -len(_AM_SUFFIX)], raw)


async def _body(receive: Receive) -> bytes | None:
    """The body, read no further than past MAX_BODY; None if the client went away first."""
    # Past MAX_BODY, `Intake` refuses the body in each path's own words.
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send(send: Send, reply: Reply) -> None:
    payload = json.dumps(reply.body, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((name.encode(), value.encode()) for name, value in reply.headers.items()),
    ]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
