"""/api/v1/tokens: admins list, create and revoke API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from execflow.access import service
from execflow.access.roles import Role
from execflow.access.schemas import TokenCreate, TokenCreated, TokenRead
from execflow.web.deps import Admin, ListWindow, State, link_next

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.get("", response_model=list[TokenRead])
def list_tokens(
    state: State, _admin: Admin, window: ListWindow, request: Request, response: Response
) -> list[TokenRead]:
    """Tokens, newest first."""
    with state.db.read() as session:
        page = service.list_tokens(session, window)
        link_next(request, response, page.next_cursor)
        return [TokenRead.model_validate(t, from_attributes=True) for t in page.items]


@router.post("", status_code=201, response_model=TokenCreated)
def create_token(body: TokenCreate, state: State, admin: Admin) -> TokenCreated:
    """Create a token; its secret is in this response only."""
    with state.writes.write() as session:
        token, secret = service.create_token(
            session,
            name=body.name,
            role=Role(body.role),
            actor=service.token_ref(admin),
            now=state.clock.now(),
        )
        read = TokenRead.model_validate(token, from_attributes=True)
    return TokenCreated(**read.model_dump(), token=secret)


@router.delete("/{token_id}", response_model=TokenRead)
def revoke_token(token_id: str, state: State, admin: Admin) -> TokenRead:
    """Revoke a token at once."""
    with state.writes.write() as session:
        token = service.revoke_token(
            session, token_id=token_id, actor=service.token_ref(admin), now=state.clock.now()
        )
        read = TokenRead.model_validate(token, from_attributes=True)
    state.tokens.forget()  # refused from now on here; other nodes within the cache's TTL
    return read
