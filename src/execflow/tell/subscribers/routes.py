"""POST /subscriptions, GET /subscriptions/confirm and /subscriptions/unsubscribe (public).

The subscribe form posts here (`application/x-www-form-urlencoded`), and so may a script
(JSON). The answer is the same whether or not the address was known; each client address
may ask a few times a minute (429 with Retry-After beyond), and each e-mail address gets
at most a few confirmation mails an hour, whoever asks. Unsubscribe links work with one
click: GET (the link in the mail's text) and POST (RFC 8058, from the mail client).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.responses import JSONResponse, Response

from execflow.addresses import Address
from execflow.errors import InvalidInput
from execflow.ids import RowId
from execflow.tell.notify.mails import Sender
from execflow.tell.subscribers import service, tokens
from execflow.web.deps import State
from execflow.web.errors import body_validation_body, error_body
from execflow.web.pages import Pages
from execflow.web.state import AppState
from execflow.web.throttle import Throttle

router = APIRouter(tags=["subscriptions"])
MAX_BODY = 16_384
CLIENT_RATE, CLIENT_BURST = 5 / 60, 5
"""Requests per client address: 5 at once, then one every 12 seconds."""
ADDRESS_RATE, ADDRESS_BURST = 3 / 3600, 3
"""Confirmation mails per e-mail address: 3 at once, then one every 20 minutes."""


class Limits:
    """The app's subscription throttles (one pair per app)."""

    def __init__(self) -> None:
        self.client = Throttle(rate=CLIENT_RATE, burst=CLIENT_BURST)
        self.address = Throttle(rate=ADDRESS_RATE, burst=ADDRESS_BURST)


def _limits(request: Request) -> Limits:
    limits: Limits | None = getattr(request.app.state, "subscription_limits", None)
    if limits is None:
        limits = Limits()
        request.app.state.subscription_limits = limits
    return limits


ACCEPTED = (
    "If this address can receive mail, a confirmation link is on its way. "
    "Nothing is sent until you follow it."
)


class SubscribeIn(BaseModel):
    """POST /subscriptions."""

    model_config = ConfigDict(extra="forbid")

    email: Address
    component_ids: list[RowId] = Field(default_factory=list, max_length=500)


def sender(state: AppState) -> Sender:
    """How status mails are signed and addressed for this app."""
    return Sender(state.settings.page_name, state.settings.base_url.rstrip("/"), state.link_secret)


def _wants_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "")
    return kind.startswith("application/json") or "application/json" in request.headers.get(
        "accept", ""
    )


def _page(request: Request, status: int, heading: str, text: str, **headers: str) -> Response:
    pages: Pages = request.app.state.pages
    return pages.response("message.html", status, headers, heading=heading, text=text)


class _Refused(Exception):
    """A refusal, answered as the contract's error JSON or as a page."""

    def __init__(self, status: int, code: str, message: str, details: list[Any] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


async def _fields(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise _Refused(413, "payload_too_large", "the request body is too large")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = json.loads(raw or b"null")
        except ValueError as exc:
            raise _Refused(422, "validation_error", "the request body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise _Refused(422, "validation_error", "send a JSON object")
        return body
    form = await request.form()
    return {"email": form.get("email", ""), "component_ids": form.getlist("component_ids")}


def _refusal(request: Request, refused: _Refused, headers: dict[str, str]) -> Response:
    if _wants_json(request):
        body = error_body(refused.code, refused.message, refused.details)
        return JSONResponse(body, refused.status, headers=headers)
    return _page(request, refused.status, "That did not work", refused.message, **headers)


@router.post("/subscriptions", status_code=202)
async def subscribe(request: Request, state: State) -> Response:
    """Ask for status mail: a confirmation link is mailed (same answer for any address)."""
    client = request.client.host if request.client else "unknown"
    limits = _limits(request)
    if not limits.client.admit(client):
        retry = str(math.ceil(1 / CLIENT_RATE))
        refused = _Refused(429, "too_many_requests", "too many requests; try again shortly")
        return _refusal(request, refused, {"Retry-After": retry})
    try:
        data = SubscribeIn.model_validate(await _fields(request))
        digest = hashlib.sha256(data.email.lower().encode()).hexdigest()
        mailed = limits.address.admit(digest)
        await run_in_threadpool(_request, state, data, mailed)
    except ValidationError as exc:
        body = body_validation_body(exc)
        refused = _Refused(
            422, "validation_error", body["error"]["message"], body["error"]["details"]
        )
        return _refusal(request, refused, {})
    except InvalidInput as exc:
        return _refusal(request, _Refused(422, exc.code, exc.message, exc.details), {})
    except _Refused as refused:
        return _refusal(request, refused, {})
    if _wants_json(request):
        return JSONResponse({"status": "pending_confirmation", "message": ACCEPTED}, 202)
    return _page(request, 202, "Check your inbox", ACCEPTED)


def _request(state: AppState, data: SubscribeIn, mailed: bool) -> None:
    with state.writes.write() as session:
        service.request(
            session,
            address=data.email,
            component_ids=list(data.component_ids),
            sender=sender(state),
            now=state.clock.now(),
            send=mailed,
        )


def _claim(state: AppState, token: str, purpose: str) -> tokens.Claim:
    if not token or len(token) > 4096:
        raise tokens.TokenError("this link is not valid")
    return tokens.verify(state.link_secret, token, purpose=purpose, now=state.clock.now())


def _link_refused(request: Request, error: Exception) -> Response:
    expired = "expired" in str(error)
    return _refusal(request, _Refused(410 if expired else 400, "invalid_link", str(error)), {})


@router.get("/subscriptions/confirm")
def confirm(request: Request, state: State, token: str = "") -> Response:
    """Follow the confirmation link: the subscription starts (with its component choice)."""
    try:
        claim = _claim(state, token, tokens.CONFIRM)
        with state.writes.write() as session:
            service.confirm(session, claim=claim, now=state.clock.now())
    except (tokens.TokenError, InvalidInput) as exc:
        return _link_refused(request, exc)
    return _page(
        request, 200, "Subscription confirmed", "You will get mail when something happens."
    )


@router.get("/subscriptions/unsubscribe")
@router.post("/subscriptions/unsubscribe")
def unsubscribe(request: Request, state: State, token: str = "") -> Response:
    """One click: no more status mail to this address (GET from the text, POST per RFC 8058)."""
    try:
        claim = _claim(state, token, tokens.UNSUBSCRIBE)
        with state.writes.write() as session:
            service.unsubscribe(session, claim=claim, now=state.clock.now())
    except tokens.TokenError as exc:
        return _link_refused(request, exc)
    return _page(request, 200, "Unsubscribed", "This address will get no more status mail.")
