"""/log/* (C2SP tiles, checkpoint, proofs) and /api/v1/audit/* endpoints."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response

from execflow.access.models import ApiToken
from execflow.access.roles import Role
from execflow.access.service import token_ref
from execflow.errors import NotFound, Unavailable
from execflow.group_commit import Unit
from execflow.prove.audit.schemas import (
    AuditEventIn,
    AuditEventOut,
    ConsistencyOut,
    ProofOut,
    VerifyOut,
)
from execflow.prove.log import store
from execflow.prove.log.append import append_prepared, prepare
from execflow.prove.log.entry import Ref
from execflow.prove.log.sources import DatabaseSource
from execflow.prove.log.tiles import TilePathError, parse_tile_path
from execflow.prove.log.verify import verify_log
from execflow.web.deps import Responder, State, Viewer, current_token
from execflow.web.write_front import WriteEndpoint

public = APIRouter(tags=["log"])
log_reads = APIRouter(prefix="/log", tags=["log"])
api = APIRouter(prefix="/api/v1/audit", tags=["audit"])

IMMUTABLE = "public, max-age=31536000, immutable"


async def reads_allowed(request: Request, state: State) -> None:
    """Tiles, entries and proofs are public only when EXECFLOW_PUBLIC_LOG is set."""
    if not state.settings.public_log:
        await current_token(request, state)


LogReader = Annotated[None, Depends(reads_allowed)]


@public.get("/log/checkpoint", response_class=PlainTextResponse, tags=["log"])
def checkpoint(state: State) -> Response:
    """The latest signed checkpoint (C2SP tlog-checkpoint)."""
    with state.db.read() as session:
        note = store.tree(session).checkpoint
    if note is None:
        raise Unavailable("the log has not signed its first checkpoint yet")
    return PlainTextResponse(note, headers={"Cache-Control": "no-cache, max-age=1"})


@public.get("/log/vkey", response_class=PlainTextResponse)
def vkey(state: State) -> Response:
    """The verifier key of the log's signing key."""
    return PlainTextResponse(state.signer.verifier.vkey() + "\n")


@log_reads.get("/tile/{path:path}", response_class=Response)
def tile(path: str, state: State, _reader: LogReader) -> Response:
    """A hash tile or entry bundle, byte-exact."""
    try:
        ref = parse_tile_path(f"tile/{path}")
    except TilePathError as exc:
        raise NotFound(str(exc)) from exc
    with state.db.read() as session:
        data = store.read_tile(session, ref)
    cache = IMMUTABLE if ref.is_full else "public, max-age=60"
    return Response(data, media_type="application/octet-stream", headers={"Cache-Control": cache})


@log_reads.get("/entries/{index}", response_class=Response)
def entry(index: int, state: State, _reader: LogReader) -> Response:
    """One entry's canonical JSON bytes."""
    with state.db.read() as session:
        data = store.entry(session, index)
    return Response(data, media_type="application/json", headers={"Cache-Control": IMMUTABLE})


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


@log_reads.get("/proof/inclusion", response_model=ProofOut)
def inclusion(
    state: State,
    _reader: LogReader,
    index: Annotated[int, Query(ge=0)],
    size: Annotated[int, Query(ge=1)],
) -> ProofOut:
    """RFC 9162 audit path of entry index in the tree of size."""
    with state.db.read() as session:
        hashes = store.inclusion(session, index=index, size=size)
    return ProofOut(index=index, size=size, hashes=_b64(hashes))


@log_reads.get("/proof/consistency", response_model=ConsistencyOut)
def consistency(
    state: State,
    _reader: LogReader,
    old: Annotated[int, Query(ge=0)],
    new: Annotated[int, Query(ge=0)],
) -> ConsistencyOut:
    """RFC 9162 consistency proof from size old to size new."""
    with state.db.read() as session:
        hashes = store.consistency(session, old=old, new=new)
    return ConsistencyOut(old=old, new=new, hashes=_b64(hashes))


def _record(body: AuditEventIn, token: ApiToken, now: datetime) -> Unit[AuditEventOut]:
    item = prepare(
        type=body.type,
        at=now,
        actor=token_ref(token),
        subject=Ref(body.subject.kind, body.subject.id),
        data=body.data,
    )
    return lambda session: AuditEventOut(index=append_prepared(session, [item])[0])


RECORD = WriteEndpoint("/api/v1/audit/events", Role.RESPONDER, AuditEventIn, 201, _record)
"""Answered by the write front; the route below describes it and takes what the front leaves."""


@api.post("/events", status_code=201, response_model=AuditEventOut)
async def record_event(body: AuditEventIn, state: State, token: Responder) -> AuditEventOut:
    """Record an outside event (a deploy, a config change, a manual check)."""
    return await RECORD.answer(state, body, token)


@api.get("/verify", response_model=VerifyOut)
def verify(state: State, _token: Viewer) -> VerifyOut:
    """Re-derive the whole log from its entries and check it against the checkpoint."""
    with state.db.read() as session:
        report = verify_log(DatabaseSource(session), state.signer.verifier)
    return VerifyOut(
        ok=report.ok,
        size=report.size,
        root=base64.b64encode(report.root).decode(),
        first_bad_index=report.first_bad_index,
        message=report.message,
    )
