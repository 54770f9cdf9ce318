"""Who is signed in to the console, what they may do, and the CSRF check on every form.

`Signed` is a FastAPI dependency: the principal of the request's session cookie, or a
redirect to /login for anyone else. Every POST form carries the session's CSRF token in
a field named `csrf`; `checked(form, principal)` refuses a form without the right one.
Roles are checked exactly as for API tokens (viewer < responder < admin).
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from execflow.access.roles import Role
from execflow.console import sessions
from execflow.console.sessions import Principal
from execflow.prove.log import store
from execflow.web.deps import State
from execflow.web.state import AppState

COOKIE = "execflow_session"


class SignInFirst(Exception):
    """No live session: the answer is a redirect to /login (then back here)."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class NotAllowed(Exception):
    """The request is refused (403): a missing CSRF token, or too weak a role."""


def _lookup(state: AppState, secret: str) -> tuple[Principal | None, int]:
    now = state.clock.now()
    with state.db.read() as session:
        principal = sessions.resolve(session, secret, now)
        touch = principal is not None and sessions.needs_touch(session, principal, now)
        size = store.appended_size(session)
    if principal is not None and touch:
        with state.writes.write() as session:
            sessions.touch(session, principal, now)
    return principal, size


async def principal_or_none(request: Request, state: State) -> Principal | None:
    """The signed-in principal, if the request carries a live session.

    Also notes the log's size before the page is read (`request.state.log_size`): the
    page's live updates start there, so no change made meanwhile is missed.
    """
    secret = request.cookies.get(COOKIE)
    if not secret:
        return None
    principal, size = await run_in_threadpool(_lookup, state, secret)
    request.state.log_size = size
    return principal


async def signed_in(request: Request, state: State) -> Principal:
    """The signed-in principal; anyone else is sent to /login."""
    principal = await principal_or_none(request, state)
    if principal is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInFirst(path)
    return principal


Signed = Annotated[Principal, Depends(signed_in)]
MaybeSigned = Annotated[Principal | None, Depends(principal_or_none)]


def require_role(principal: Principal, role: Role) -> None:
    """NotAllowed unless the principal's role is at least role."""
    if not principal.role.allows(role):
        raise NotAllowed(f"this needs the {role.value} role; you have {principal.role.value}")


def field(form: FormData, name: str) -> str:
    """A form field's text, trimmed ("" when it is missing or a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def checked(form: FormData, principal: Principal) -> None:
    """NotAllowed unless the form carries this session's CSRF token."""
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, principal.csrf):
        raise NotAllowed("this form is out of date or did not come from this console; reload")


def login_redirect(back_to: str) -> str:
    """Where an anonymous request is sent."""
    return "/login" if back_to in ("", "/") else f"/login?next={quote(back_to, safe='')}"
