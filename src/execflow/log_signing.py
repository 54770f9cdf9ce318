"""Signing a checkpoint from a worker, without holding up the writers that append."""

from __future__ import annotations

from execflow.clock import Clock
from execflow.db import Database
from execflow.prove.log import store
from execflow.prove.log.integrate import Signed, apply, plan
from execflow.prove.log.note import Signer


def sign_new_entries(db: Database, signer: Signer, clock: Clock) -> Signed | None:
    """Sign a checkpoint covering every committed entry (up to one batch), if any is new."""
    with db.read() as session:
        if store.is_signed_up_to_date(session):
            return None
    if db.is_sqlite:
        return _hash_then_lock(db, signer, clock)
    return _lock_then_hash(db, signer, clock)


def _hash_then_lock(db: Database, signer: Signer, clock: Clock) -> Signed | None:
    """SQLite has one write lock for the whole file: hash while reading, lock only to sign.

    apply() writes nothing if another process signed in between.
    """
    with db.read() as session:
        work = plan(session)
    if work is None:
        return None
    with db.write() as session:
        return apply(session, work, signer=signer, now=clock.now())


def _lock_then_hash(db: Database, signer: Signer, clock: Clock) -> Signed | None:
    """PostgreSQL locks rows: take the tree row first, or leave the work to the node that
    holds it, so two nodes never hash the same entries; appenders lock another row."""
    with db.write() as session:
        if not store.lock_tree(session):
            return None
        work = plan(session)
        if work is None:
            return None
        return apply(session, work, signer=signer, now=clock.now())
