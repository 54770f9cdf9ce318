"""FastAPI dependencies: the app state, the calling token and role checks.

Dependencies that do no I/O are `async def`, so FastAPI runs them on the event loop
instead of sending each through the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.service import authenticate
from execflow.errors import Forbidden, Unauthorized
from execflow.web.state import AppState


async def get_state(request: Request) -> AppState:
    """The app's state object."""
    state: AppState = request.app.state.execflow
    return state


State = Annotated[AppState, Depends(get_state)]


def bearer_secret(request: Request) -> str | None:
    """The secret from an 'Authorization: Bearer' header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_token(request: Request, state: State) -> ApiToken:
    """The token the request carries, or 401."""
    secret = bearer_secret(request)
    if secret is None:
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    with state.db.read() as session:
        return authenticate(session, secret)


def require(role: Role) -> Callable[[ApiToken], Awaitable[ApiToken]]:
    """A dependency that admits tokens of at least role."""

    async def check(token: Annotated[ApiToken, Depends(current_token)]) -> ApiToken:
        if not Role(token.role).allows(role):
            raise Forbidden(f"this needs the {role.value} role; the token has {token.role}")
        return token

    return check


Viewer = Annotated[ApiToken, Depends(require(Role.VIEWER))]
Responder = Annotated[ApiToken, Depends(require(Role.RESPONDER))]
Admin = Annotated[ApiToken, Depends(require(Role.ADMIN))]
