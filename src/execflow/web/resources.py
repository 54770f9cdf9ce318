"""Plain resources declared once: list, create, get, PATCH and DELETE from one description.

A `Resource` names the table, the service functions and the bodies; `crud_router` builds
the five handlers every plain resource has (keyset-paged list with a Link header,
201 on create, 204 on delete, writes through the group commit, reads through one read
transaction, roles checked by the usual dependencies). What is particular to a resource
(its own verbs, extra reads) stays in its own routes module beside it.

This module keeps its annotations as objects, not strings (no `from __future__ import
annotations`): FastAPI reads the handlers' signatures, and the body types are the
resource's own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.service import token_ref
from execflow.keyset import Slice, Window
from execflow.prove.log.entry import Ref
from execflow.records import get
from execflow.web.deps import ListWindow, Now, State, link_next, require
from execflow.web.state import AppState

Row = TypeVar("Row")
Handler = TypeVar("Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class Seen:
    """What shaping a row for an answer may look at: who asks, when, and the app."""

    session: Session
    token: ApiToken
    now: datetime
    state: AppState


@dataclass(frozen=True)
class Resource(Generic[Row]):
    """A plain resource: its path, table, bodies and the service functions behind them."""

    path: str
    """The collection's path, e.g. "/api/v1/components"."""
    what: str
    """How errors name one, e.g. "component"."""
    model: type[Row]
    create_body: type[BaseModel]
    update_body: type[BaseModel]
    read_body: type[BaseModel]
    listing: Callable[[Session, Window], Slice[Row]]
    create: Callable[..., Row]
    """service(session, *, data, actor, now) -> row."""
    update: Callable[..., Row]
    """service(session, *, <id_keyword>, data, actor, now) -> row."""
    delete: Callable[..., None]
    """service(session, *, <id_keyword>, actor, now)."""
    id_keyword: str
    """The keyword the service functions take the id by, e.g. "component_id"."""
    shape: Callable[[Seen, Row], BaseModel]
    """The answer for one row."""
    write_role: Role = Role.ADMIN


def crud_router(resource: Resource[Any], *, tags: list[str]) -> APIRouter:
    """The list/create/get/PATCH/DELETE handlers of a plain resource."""
    router = APIRouter(tags=tags)  # type: ignore[arg-type]
    reader = Annotated[ApiToken, Depends(require(Role.VIEWER))]
    writer = Annotated[ApiToken, Depends(require(resource.write_role))]
    item_id_in_path = Annotated[str, Path(alias=resource.id_keyword)]
    item = f"{resource.path}/{{{resource.id_keyword}}}"
    listed = list[resource.read_body]  # type: ignore[name-defined]

    @router.get(resource.path, response_model=listed, summary=f"List {resource.what}s")
    def list_items(
        *,
        state: State,
        token: reader,
        now: Now,
        window: ListWindow,
        request: Request,
        response: Response,
    ) -> list[BaseModel]:
        with state.db.read() as session:
            page = resource.listing(session, window)
            link_next(request, response, page.next_cursor)
            seen = Seen(session, token, now, state)
            return [resource.shape(seen, row) for row in page.items]

    @router.post(
        resource.path,
        status_code=201,
        response_model=resource.read_body,
        summary=f"Create a {resource.what}",
    )
    @_body(resource.create_body)
    def create_item(body: Any, state: State, token: writer, now: Now) -> BaseModel:
        with state.writes.write() as session:
            row = resource.create(session, data=body, actor=_actor(token), now=now)
            return resource.shape(Seen(session, token, now, state), row)

    @router.get(item, response_model=resource.read_body, summary=f"Get a {resource.what}")
    def get_item(item_id: item_id_in_path, state: State, token: reader, now: Now) -> BaseModel:
        with state.db.read() as session:
            row = get(session, resource.model, item_id, resource.what)
            return resource.shape(Seen(session, token, now, state), row)

    @router.patch(item, response_model=resource.read_body, summary=f"Change a {resource.what}")
    @_body(resource.update_body)
    def update_item(
        item_id: item_id_in_path, body: Any, state: State, token: writer, now: Now
    ) -> BaseModel:
        with state.writes.write() as session:
            row = resource.update(
                session, **{resource.id_keyword: item_id}, data=body, actor=_actor(token), now=now
            )
            return resource.shape(Seen(session, token, now, state), row)

    @router.delete(item, status_code=204, summary=f"Delete a {resource.what}")
    def delete_item(item_id: item_id_in_path, state: State, token: writer, now: Now) -> Response:
        with state.writes.write() as session:
            resource.delete(
                session,
                **{resource.id_keyword: item_id},
                actor=_actor(token),
                now=now,
            )
        return Response(status_code=204)

    return router


def _body(model: type[BaseModel]) -> Callable[[Handler], Handler]:
    """Give a handler's `body` parameter the resource's own body type, for FastAPI to read."""

    def annotate(handler: Handler) -> Handler:
        handler.__annotations__["body"] = model
        return handler

    return annotate


def _actor(token: ApiToken) -> Ref:
    return token_ref(token)
