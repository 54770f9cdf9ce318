"""FastAPI dependencies: the app state, the calling token and role checks.

Dependencies that do no I/O are `async def`, so FastAPI runs them on the event loop
instead of sending each through the thread pool.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.service import authenticate
from execflow.errors import Forbidden, InvalidInput, Unauthorized
from execflow.keyset import DEFAULT_LIMIT, MAX_LIMIT, Window
from execflow.web.state import AppState


async def get_state(request: Request) -> AppState:
    """The app's state object."""
    state: AppState = request.app.state.execflow
    return state


State = Annotated[AppState, Depends(get_state)]


async def current_time(state: State) -> datetime:
    """The request's moment, read once from the app's clock (tests move it)."""
    return state.clock.now()


Now = Annotated[datetime, Depends(current_time)]


def bearer_secret(request: Request) -> str | None:
    """The secret from an 'Authorization: Bearer' header, if any."""
    return secret_of(request.headers.get("authorization", ""))


def secret_of(header: str) -> str | None:
    """The secret in an Authorization header's value, if it is 'Bearer <secret>'."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


async def current_token(request: Request, state: State) -> ApiToken:
    """The token the request carries, or 401 (read from the cache while it is fresh)."""
    return await token_for(state, bearer_secret(request))


async def token_for(state: AppState, secret: str | None) -> ApiToken:
    """The live token whose secret this is, or 401 (read from the cache while it is fresh)."""
    if secret is None:
        raise Unauthorized("send 'Authorization: Bearer <token>'")
    token = state.tokens.get(secret)
    if token is None:
        token = await run_in_threadpool(_authenticate, state, secret)
        state.tokens.put(secret, token)
    return token


def _authenticate(state: AppState, secret: str) -> ApiToken:
    with state.db.read() as session:
        return authenticate(session, secret)


def require(role: Role) -> Callable[[ApiToken], Awaitable[ApiToken]]:
    """A dependency that admits tokens of at least role."""

    async def check(token: Annotated[ApiToken, Depends(current_token)]) -> ApiToken:
        return admitted(token, role)

    return check


def admitted(token: ApiToken, role: Role) -> ApiToken:
    """The token if its role allows role, else Forbidden."""
    if not Role(token.role).allows(role):
        raise Forbidden(f"this needs the {role.value} role; the token has {token.role}")
    return token


Viewer = Annotated[ApiToken, Depends(require(Role.VIEWER))]
Responder = Annotated[ApiToken, Depends(require(Role.RESPONDER))]
Admin = Annotated[ApiToken, Depends(require(Role.ADMIN))]


def list_window(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(min_length=1, max_length=1000)] = None,
) -> Window:
    """`?limit=` (1-500, default 100) and the opaque `?cursor=` of a list."""
    return Window(limit, cursor)


ListWindow = Annotated[Window, Depends(list_window)]


def link_next(request: Request, response: Response, next_cursor: str | None) -> None:
    """Add the RFC 8288 `Link: <...>; rel="next"` header when more items follow."""
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'


async def known_query(request: Request) -> None:
    """Refuse a query parameter the endpoint does not take (a typo would be ignored)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    taken = _query_names(route.dependant)
    unknown = sorted(set(request.query_params) - taken)
    if unknown:
        raise InvalidInput(
            f"unknown query parameter: {', '.join(unknown)}",
            details=[{"loc": ["query", name], "type": "unknown_parameter"} for name in unknown],
        )


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an endpoint and its dependencies declare."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names
