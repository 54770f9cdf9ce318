"""GET/POST /login, GET /login/{token} (the mailed one-time link) and POST /logout.

The sign-in forms carry a CSRF token too (a cookie set with the page, and the same value
in the form), so no other site can sign a browser in. Sign-in attempts are limited per
client address (429 beyond). Asking for a link by e-mail answers the same whether or not
the address belongs to someone; the link is mailed only to a person with a console role.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from execflow.access.service import authenticate
from execflow.access.signin import LINK_LIFETIME, SigninError, signin_link, use_link
from execflow.console import sessions
from execflow.console.auth import COOKIE, MaybeSigned, Signed, checked, field
from execflow.errors import Unauthorized
from execflow.outbox import enqueue_many
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.tell.notify.jobs import MailOut
from execflow.web.deps import State
from execflow.web.pages import Pages
from execflow.web.state import AppState
from execflow.web.throttle import Throttle

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "execflow_login"
ATTEMPT_RATE, ATTEMPT_BURST = 10 / 60, 10
"""Sign-in attempts per client address: 10 at once, then one every 6 seconds."""
SENT = (
    "If this address belongs to someone who may use the console, a sign-in link is on its "
    "way. It works once, for 15 minutes."
)


def _limits(request: Request) -> Throttle:
    found: Throttle | None = getattr(request.app.state, "signin_limits", None)
    if found is None:
        found = Throttle(rate=ATTEMPT_RATE, burst=ATTEMPT_BURST)
        request.app.state.signin_limits = found
    return found


def _secure(state: AppState) -> bool:
    return state.settings.base_url.startswith("https://")


def _login_page(
    request: Request, state: State, *, status: int = 200, error: str = "", notice: str = ""
) -> Response:
    pages: Pages = request.app.state.pages
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = pages.response(
        "console/login.html",
        status,
        csrf=token,
        error=error,
        notice=notice,
        next=request.query_params.get("next", ""),
    )
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="lax", secure=_secure(state), path="/login"
    )
    return response


@router.get("/login")
async def login_page(request: Request, state: State, principal: MaybeSigned) -> Response:
    """The sign-in page (signed-in people go straight to the incidents)."""
    if principal is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request, state)


def _safe_next(target: str) -> str:
    """Only a path on this site (never another origin) to go to after signing in."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _signed_in(state: AppState, secret: str, target: str) -> Response:
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(sessions.ABSOLUTE_LIMIT.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(state),
        path="/",
    )
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _with_token(state: AppState, secret: str) -> str:
    now = state.clock.now()
    with state.writes.write() as session:
        token = authenticate(session, secret)
        return sessions.start(session, person_id=None, token_id=token.id, via="token", now=now)


def _mail_link(state: AppState, address: str) -> None:
    now = state.clock.now()
    with state.writes.write() as session:
        person = sessions.person_by_address(session, address)
        if person is None:
            return
        link = signin_link(state.link_secret, kind="person", ident=person.id, now=now)
        url = f"{state.settings.base_url.rstrip('/')}/login/{link}"
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        mail = MailOut(
            to=person.email,
            subject=f"[{state.settings.page_name}] Your sign-in link",
            text=f"Sign in to the ExecFlow console (once, within {minutes} minutes):\n\n{url}\n\n"
            "If you did not ask for it, ignore this mail.\n",
            message_id=f"<signin.{person.id}.{int(now.timestamp())}@execflow>",
            notification_id=f"signin.{person.id}",
        )
        enqueue_many(session, [mail.queued()], now=now)
        append(
            session,
            type=sessions.LINK_SENT,
            at=now,
            actor=Ref("person", person.id),
            subject=Ref("person", person.id),
            data={"expires_in_minutes": minutes},
        )


@router.post("/login")
async def login(request: Request, state: State) -> Response:
    """Sign in with a pasted token, or ask for a link by e-mail."""
    client = request.client.host if request.client else "unknown"
    if not _limits(request).admit(client):
        response = _login_page(request, state, status=429, error="Too many attempts; wait a bit.")
        response.headers["Retry-After"] = str(math.ceil(1 / ATTEMPT_RATE))
        return response
    form = await request.form()
    sent, kept = form.get("csrf"), request.cookies.get(LOGIN_COOKIE, "")
    if not isinstance(sent, str) or not kept or not hmac.compare_digest(sent, kept):
        return _login_page(
            request, state, status=403, error="This form is out of date; please try again."
        )
    token, address = field(form, "token"), field(form, "email")
    target = field(form, "next")
    if token:
        try:
            secret = await run_in_threadpool(_with_token, state, token)
        except Unauthorized:
            return _login_page(request, state, status=401, error="That token is not valid.")
        return _signed_in(state, secret, target)
    if address and "@" in address and len(address) <= 320:
        await run_in_threadpool(_mail_link, state, address)
        return _login_page(request, state, status=202, notice=SENT)
    return _login_page(request, state, status=422, error="Give an e-mail address or a token.")


def _use(state: AppState, token: str, now: datetime) -> str:
    with state.writes.write() as session:
        kind, ident = use_link(session, state.link_secret, token, now)
        person = ident if kind == "person" else None
        via_token = ident if kind == "token" else None
        return sessions.start(session, person_id=person, token_id=via_token, via="link", now=now)


@router.get("/login/{token}")
async def login_link(token: str, request: Request, state: State) -> Response:
    """The mailed one-time link: signs in and goes to the incidents."""
    try:
        secret = await run_in_threadpool(_use, state, token, state.clock.now())
    except SigninError as exc:
        status = 410 if "expired" in str(exc) or "used" in str(exc) else 400
        return _login_page(request, state, status=status, error=str(exc))
    return _signed_in(state, secret, "/")


def _end(state: AppState, principal: sessions.Principal, everywhere: bool) -> None:
    with state.writes.write() as session:
        sessions.end(session, principal=principal, everywhere=everywhere, now=state.clock.now())


@router.post("/logout")
async def logout(request: Request, state: State, principal: Signed) -> Response:
    """Sign out of this browser, or (`everywhere`) of every session of this person or token."""
    form = await request.form()
    checked(form, principal)
    await run_in_threadpool(_end, state, principal, field(form, "everywhere") == "yes")
    cache = getattr(request.app, "pages", None)
    if cache is not None:
        cache.clear()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
