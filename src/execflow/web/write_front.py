"""The busiest API writes answered straight from ASGI, ahead of routing and middleware.

For a small write, FastAPI's middleware, routing, dependency and thread-pool layers cost
several times the work itself (profiled: 0.56 ms of the event loop's time per audit event
against 0.12 ms for a hello-world POST). A `WriteEndpoint` declares such a write once (its
path, role, body model and unit of work); its FastAPI route (which OpenAPI describes)
and this front both run that declaration, so there is one behaviour: the same checks in
the same order (JSON, token, role, body) and the same answers and error JSON. The front
takes only a plain POST with a JSON body and no query string; anything else goes on to the
application, and so does a body larger than MAX_BODY (replayed as it came).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.errors import ExecFlowError
from execflow.group_commit import Unit
from execflow.ops.metrics import HttpCounters
from execflow.web.asgi import header, read_some, send_json
from execflow.web.deps import admitted, secret_of, token_for
from execflow.web.errors import (
    body_validation_body,
    domain_error_body,
    error_body,
    validation_error_body,
)
from execflow.web.state import AppState

log = logging.getLogger("execflow.web")
MAX_BODY = 1_000_000
B = TypeVar("B", bound=BaseModel)
O = TypeVar("O", bound=BaseModel)  # noqa: E741


@dataclass(frozen=True)
class WriteEndpoint(Generic[B, O]):
    """A POST that is a role, a JSON body and a unit of work run in the group commit."""

    path: str
    role: Role
    body: type[B]
    status: int
    unit: Callable[[B, ApiToken, datetime], Unit[O]]

    async def answer(self, state: AppState, body: B, token: ApiToken) -> O:
        """Run the write for an admitted token and a valid body; the committed result."""
        return await state.writes.run(self.unit(body, token, state.clock.now()))


class _Refused(Exception):
    """An answer other than success, ready to send."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class WriteFront:
    """Answers the declared write endpoints; `handles(scope)` says whether it takes one."""

    def __init__(
        self,
        state: AppState,
        counters: HttpCounters,
        endpoints: Sequence[WriteEndpoint[Any, Any]],
    ) -> None:
        self.state, self.counters = state, counters
        self.endpoints = {e.path: e for e in endpoints}

    def handles(self, scope: Scope) -> bool:
        """A POST to a declared path with a JSON body and no query string."""
        return (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] in self.endpoints
            and not scope["query_string"]
            and _is_json(header(scope, b"content-type"))
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        """Answer the request, or hand a body over MAX_BODY to app as it came."""
        started = time.perf_counter()
        endpoint = self.endpoints[scope["path"]]
        read = await read_some(receive, MAX_BODY)
        if read is None:
            return  # the client went away; nobody to answer
        raw, more = read
        if more:
            await app(scope, _replay(raw, receive), send)
            return
        try:
            result = await self._run(endpoint, scope, raw)
            status, body = endpoint.status, result.model_dump_json().encode()
        except _Refused as refused:
            status, body = refused.status, refused.body
        except ExecFlowError as exc:
            status, body = exc.status, domain_error_body(exc)
        except Exception:
            log.exception("unhandled error in %s", endpoint.path)
            status, body = 500, error_body("internal_error", "an unexpected error occurred")
        await send_json(send, status, body)
        self.counters.record("POST", endpoint.path, status, time.perf_counter() - started)

    async def _run(self, endpoint: WriteEndpoint[Any, Any], scope: Scope, raw: bytes) -> Any:
        """FastAPI's order: the JSON, then the token and role, then the body's fields."""
        document = _json(raw)
        token = await token_for(self.state, secret_of(header(scope, b"authorization") or ""))
        admitted(token, endpoint.role)
        try:
            body = endpoint.body.model_validate(document, from_attributes=True)
        except ValidationError as exc:
            raise _Refused(422, body_validation_body(exc)) from exc
        return await endpoint.answer(self.state, body, token)


def _is_json(content_type: str | None) -> bool:
    if content_type is None:
        return False
    kind = content_type.partition(";")[0].strip().lower()
    return kind == "application/json"


def _json(raw: bytes) -> Any:
    """The parsed body; an empty one is a missing body, as FastAPI says it."""
    if not raw:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required"}
        raise _Refused(422, validation_error_body([missing]))
    try:
        return json.loads(raw)
    except ValueError as exc:
        position = exc.pos if isinstance(exc, json.JSONDecodeError) else 0
        invalid = {"type": "json_invalid", "loc": ("body", position), "msg": "JSON decode error"}
        raise _Refused(422, validation_error_body([invalid])) from exc


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A receive that gives back the part of the body already read, then the rest."""
    # read_some stopped before the last chunk, so more follows from receive.
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": True}

    return replayed
