"""Console sessions: signing in (a mailed one-time link, or a pasted token), staying signed
in, signing out (here or everywhere); each sign-in and sign-out is logged (ids only).

The cookie holds a random secret; the table keeps its hash. A session ends after
IDLE_LIMIT without a request or ABSOLUTE_LIMIT after it began. Its role is read from the
person or the token on every request, so a role taken away or a token revoked takes
effect at once. Sign-in links are made and checked by `access.signin`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from execflow.access.models import ApiToken, ConsoleSession
from execflow.access.roles import Role
from execflow.ids import new_id
from execflow.prove.log.append import append
from execflow.prove.log.entry import Ref
from execflow.respond.catalog.models import Person

IDLE_LIMIT = timedelta(hours=12)
ABSOLUTE_LIMIT = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)
"""A session's last-seen time is written at most this often (not on every request)."""
SIGNED_IN, SIGNED_OUT, LINK_SENT = "session.signed_in", "session.signed_out", "session.link_sent"


@dataclass(frozen=True)
class Principal:
    """Who is signed in: a person or a token, the role they have now, their session."""

    kind: str
    """person or token."""
    id: str
    name: str
    role: Role
    timezone: str
    session_id: str
    csrf: str

    @property
    def ref(self) -> Ref:
        """How they appear as an actor in the log."""
        return Ref(self.kind, self.id)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(
    session: Session, *, person_id: str | None, token_id: str | None, via: str, now: datetime
) -> str:
    """Begin a session; returns the cookie's secret (shown once)."""
    secret = secrets.token_urlsafe(32)
    row = ConsoleSession(
        id=new_id("ses"),
        secret_hash=_hash(secret),
        person_id=person_id,
        token_id=token_id,
        csrf=secrets.token_urlsafe(24),
        created_at=now,
        seen_at=now,
    )
    session.add(row)
    session.flush()
    who = Ref("person", person_id) if person_id else Ref("token", token_id or "")
    append(
        session,
        type=SIGNED_IN,
        at=now,
        actor=who,
        subject=Ref("session", row.id),
        data={"via": via},
    )
    return secret


def resolve(session: Session, secret: str, now: datetime) -> Principal | None:
    """The principal a live session's secret belongs to, or None."""
    row = session.execute(
        select(ConsoleSession).where(ConsoleSession.secret_hash == _hash(secret))
    ).scalar_one_or_none()
    if row is None or row.ended_at is not None:
        return None
    if now - row.seen_at > IDLE_LIMIT or now - row.created_at > ABSOLUTE_LIMIT:
        return None
    return _principal(session, row)


def needs_touch(session: Session, principal: Principal, now: datetime) -> bool:
    """Whether the session's last-seen time is old enough to be written again."""
    seen = session.get(ConsoleSession, principal.session_id)
    return seen is not None and now - seen.seen_at > TOUCH_EVERY


def touch(session: Session, principal: Principal, now: datetime) -> None:
    """Record that the session was used now (keeps it from the idle limit)."""
    session.execute(
        update(ConsoleSession).where(ConsoleSession.id == principal.session_id).values(seen_at=now)
    )


def _principal(session: Session, row: ConsoleSession) -> Principal | None:
    if row.person_id is not None:
        person = session.get(Person, row.person_id)
        if person is None or person.role is None:
            return None
        role, name, zone = Role(person.role), person.name, person.timezone
        kind, ident = "person", person.id
    else:
        token = session.get(ApiToken, row.token_id) if row.token_id else None
        if token is None or token.revoked_at is not None:
            return None
        role, name, zone, kind, ident = Role(token.role), token.name, "UTC", "token", token.id
    return Principal(kind, ident, name, role, zone, row.id, row.csrf)


def end(session: Session, *, principal: Principal, everywhere: bool, now: datetime) -> int:
    """Sign out this session, or every session of the same person or token."""
    column = ConsoleSession.person_id if principal.kind == "person" else ConsoleSession.token_id
    where = column == principal.id if everywhere else ConsoleSession.id == principal.session_id
    ended = session.execute(
        update(ConsoleSession)
        .where(where, ConsoleSession.ended_at.is_(None))
        .values(ended_at=now)
        .returning(ConsoleSession.id)
    ).scalars()
    count = len(list(ended))
    append(
        session,
        type=SIGNED_OUT,
        at=now,
        actor=principal.ref,
        subject=Ref("session", principal.session_id),
        data={"everywhere": everywhere, "sessions": count},
    )
    return count


def person_by_address(session: Session, address: str) -> Person | None:
    """The person with a console role who has this address (case-insensitive)."""
    for person in session.execute(
        select(Person).where(Person.role.is_not(None)).order_by(Person.id)
    ).scalars():
        if person.email.lower() == address.lower():
            return person
    return None
