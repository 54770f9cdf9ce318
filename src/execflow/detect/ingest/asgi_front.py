"""The alert intake paths answered straight from ASGI, ahead of routing and middleware.

Alert floods are the busiest traffic the server sees, and for a request this small the
framework's middleware, routing and dependency layers cost more than the work itself
(profiled: about half the HTTP thread's time per event). The front recognises the
intake paths by string comparison, reads the body, calls `Intake`, counts the request in
the same metrics as every other path and answers. Anything else, and any method but
POST, goes on to the application unchanged.
"""

from __future__ import annotations

import logging
import time

from starlette.types import Receive, Scope, Send

from execflow.detect.ingest.intake import MAX_BODY, Intake, Reply
from execflow.ops.metrics import HttpCounters
from execflow.web.asgi import read_body, send_json

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
            # Past MAX_BODY, `Intake` refuses the body in each path's own words.
            raw = await read_body(receive, MAX_BODY)
            if raw is None:
                return  # the client went away; nobody to answer
            reply = await self._answer(path, raw)
        except Exception:
            log.exception("unhandled error in alert intake")
            reply = Reply(500, _INTERNAL)
        await send_json(send, reply.status, reply.body, reply.headers)
        self.counters.record("POST", template, reply.status, time.perf_counter() - started)

    async def _answer(self, path: str, raw: bytes) -> Reply:
        if path == PAGERDUTY:
            return await self.intake.pagerduty(raw)
        if path == CHANGE:
            return self.intake.change_event(raw)
        # handles() admitted only these three shapes; the key is what lies between.
        return await self.intake.alertmanager(path[len(_AM_PREFIX) : -len(_AM_SUFFIX)], raw)
