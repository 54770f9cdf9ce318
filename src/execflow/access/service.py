"""Creating, authenticating and revoking API tokens; each change is a log entry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.errors import NotFound, Unauthorized
from execflow.ids import new_id
from execflow.keyset import Slice, Window, fetch
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref

SECRET_PREFIX = "ef_"


def hash_secret(secret: str) -> str:
    """SHA-256 of a token secret (secrets are 256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_ref(token: ApiToken) -> Ref:
    """How a token appears as an actor in the log."""
    return Ref("token", token.id)


def create_token(
    session: Session, *, name: str, role: Role, actor: Ref, now: datetime
) -> tuple[ApiToken, str]:
    """Create a token; returns it and its secret, which is not stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        id=new_id("tok"),
        name=name,
        role=role.value,
        secret_hash=hash_secret(secret),
        created_at=now,
    )
    session.add(token)
    session.flush()
    append(
        session,
        type="token.created",
        at=now,
        actor=actor,
        subject=token_ref(token),
        data={"role": role.value},
    )
    return token, secret


def authenticate(session: Session, secret: str) -> ApiToken:
    """The live token with this secret, or Unauthorized."""
    token = session.execute(
        select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None:
        raise Unauthorized("the token is not valid")
    return token


def list_tokens(session: Session, window: Window) -> Slice[ApiToken]:
    """Tokens, newest first, a page at a time."""
    order = [ApiToken.created_at, ApiToken.id]
    return fetch(session, select(ApiToken), order, window, descending=True)


def revoke_token(session: Session, *, token_id: str, actor: Ref, now: datetime) -> ApiToken:
    """Revoke a token; revoking twice is a no-op that logs nothing."""
    token = session.get(ApiToken, token_id, with_for_update=True)
    if token is None:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        append(
            session,
            type="token.revoked",
            at=now,
            actor=actor,
            subject=token_ref(token),
            data={"role": token.role},
        )
    return token
