"""The intake endpoints' logic, free of any web framework: raw body in, status and JSON out.

Both the ASGI front (which answers these paths ahead of routing) and the FastAPI routes
(which describe them in OpenAPI) call these, so there is one behaviour.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from execflow.detect.ingest.batcher import Batcher
from execflow.detect.ingest.keys import ServiceKeys
from execflow.detect.ingest.signals import parse_alertmanager, parse_pagerduty
from execflow.errors import ExecFlowError, InvalidInput, NotFound
from execflow.web.errors import domain_error_body
from execflow.web.throttle import Throttle

MAX_BODY = 1_000_000
_THROTTLED = {
    "status": "throttle event",
    "message": "Requests for this service are arriving too quickly. Please retry later.",
}


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: status, JSON body and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(error: ExecFlowError) -> Reply:
    """The contract's error JSON for a domain error."""
    return Reply(error.status, domain_error_body(error))


def _invalid_event(errors: list[str]) -> Reply:
    body = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
    return Reply(400, body)


def _decode(raw: bytes) -> Any:
    if len(raw) > MAX_BODY:
        raise InvalidInput("the body is larger than 1 MB")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise InvalidInput("the request body is not valid JSON") from exc


class Intake:
    """Alertmanager/Grafana webhooks and PagerDuty Events v2, answered once persisted.

    The throttle is asked for on each call (tests and operators may swap the app's).
    """

    def __init__(
        self, throttle: Callable[[], Throttle], keys: ServiceKeys, batcher: Batcher
    ) -> None:
        self.throttle, self.keys, self.batcher = throttle, keys, batcher

    async def alertmanager(self, key: str, raw: bytes) -> Reply:
        """Prometheus Alertmanager webhook v4, or a Grafana alerting webhook."""
        try:
            body = _decode(raw)
            service = await self.keys.get(key)
            if service is None:
                raise NotFound("no service has this integration key")
            if not self.throttle().admit(key):
                error = {
                    "code": "too_many_requests",
                    "message": "alerts are arriving too quickly; retry later",
                    "details": [],
                }
                return Reply(429, {"error": error}, {"retry-after": "1"})
            signals, errors = parse_alertmanager(body)
            if errors:
                raise InvalidInput("the alert payload is not valid", details=errors)
        except ExecFlowError as error:
            return error_reply(error)
        await self.batcher.accept(service, signals)
        return Reply(202, {"status": "accepted", "alerts": len(signals)})

    async def pagerduty(self, raw: bytes) -> Reply:
        """PagerDuty Events API v2: trigger, acknowledge and resolve by dedup_key."""
        try:
            body = _decode(raw)
        except InvalidInput as error:
            return _invalid_event([error.message])
        key, signal, errors = parse_pagerduty(body)
        if errors or signal is None or key is None:
            return _invalid_event(errors)
        service = await self.keys.get(key)
        if service is None:
            return _invalid_event(["'routing_key' does not match any integration"])
        if not self.throttle().admit(key):
            return Reply(429, _THROTTLED)
        await self.batcher.accept(service, [signal])
        body = {"status": "success", "message": "Event processed", "dedup_key": signal.dedup_key}
        return Reply(202, body)

    def change_event(self, raw: bytes) -> Reply:
        """PagerDuty change events: accepted and acknowledged; not turned into incidents."""
        try:
            body = _decode(raw)
        except InvalidInput as error:
            return error_reply(error)
        if not isinstance(body, dict) or not isinstance(body.get("routing_key"), str):
            return _invalid_event(["'routing_key' is missing"])
        return Reply(202, {"status": "success", "message": "Change event processed"})
