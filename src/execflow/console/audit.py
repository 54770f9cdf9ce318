"""/audit: the current checkpoint and the entries, searchable by subject and type; the
proofs the browser checks each entry with, and the consistency of the log since the
checkpoint this browser saw last."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from starlette.responses import JSONResponse, Response

from execflow.console.auth import Signed
from execflow.console.view import PRIVATE, render
from execflow.errors import ExecFlowError, NotFound
from execflow.prove.log import merkle, store
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.entry import decode_entry
from execflow.prove.log.models import LogEntry
from execflow.prove.log.proofs import TlogProof
from execflow.web.deps import State
from execflow.web.state import AppState

router = APIRouter(include_in_schema=False)
PAGE = 50


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _entries(state: AppState, kind: str, ident: str, type_: str, before: int | None) -> Any:
    with state.db.read() as session:
        tree = store.tree(session)
        query = select(LogEntry).where(LogEntry.idx < tree.size)
        if kind:
            query = query.where(LogEntry.subject_kind == kind)
        if ident:
            query = query.where(LogEntry.subject_id == ident)
        if type_:
            query = query.where(LogEntry.type.startswith(type_, autoescape=True))
        if before is not None:
            query = query.where(LogEntry.idx < before)
        rows = list(session.execute(query.order_by(LogEntry.idx.desc()).limit(PAGE)).scalars())
        shown = [{"index": r.idx, "entry": decode_entry(r.data)} for r in rows]
        return {
            "tree": {
                "size": tree.size,
                "root": _b64(tree.root),
                "checkpoint": tree.checkpoint or "",
                "signed_at": tree.signed_at,
            },
            "entries": shown,
            "oldest": rows[-1].idx if len(rows) == PAGE else None,
        }


@router.get("/audit")
async def audit_page(request: Request, state: State, me: Signed) -> Response:
    """The checkpoint, entries newest first (filtered by subject and type), their proofs."""
    q = request.query_params
    kind, ident, type_ = q.get("kind", "")[:50], q.get("id", "")[:100], q.get("type", "")[:100]
    before = int(q["before"]) if q.get("before", "").isdigit() else None
    found = await run_in_threadpool(_entries, state, kind, ident, type_, before)
    older = None
    if found["oldest"] is not None:
        chosen = {k: v for k, v in (("kind", kind), ("id", ident), ("type", type_)) if v}
        older = "/audit?" + urlencode({**chosen, "before": found["oldest"]})
    return render(
        request,
        me,
        "console/audit.html",
        "Audit log",
        "audit",
        **found,
        chosen={"kind": kind, "id": ident, "type": type_},
        older=older,
        vkey=state.signer.verifier.vkey(),
    )


def _proof(state: AppState, index: int) -> dict[str, Any]:
    with state.db.read() as session:
        tree = store.tree(session)
        if tree.checkpoint is None or not 0 <= index < tree.size:
            raise NotFound(f"entry {index} is not in a signed checkpoint yet")
        data = store.entry(session, index)
        hashes = store.inclusion(session, index=index, size=tree.size)
        checkpoint = open_checkpoint(tree.checkpoint, state.signer.verifier)
    server_ok = True
    try:
        merkle.verify_inclusion(merkle.leaf_hash(data), index, tree.size, hashes, checkpoint.root)
    except merkle.ProofError:
        server_ok = False
    return {
        "index": index,
        "size": tree.size,
        "entry": _b64(data),
        "hashes": [_b64(h) for h in hashes],
        "checkpoint": tree.checkpoint,
        "vkey": state.signer.verifier.vkey(),
        "server_check": server_ok,
    }


@router.get("/audit/proof/{index:int}")
async def proof(index: int, state: State, _me: Signed) -> Response:
    """An entry, its inclusion proof and the signed checkpoint, for the browser to check."""
    try:
        body = await run_in_threadpool(_proof, state, index)
    except ExecFlowError as exc:
        return JSONResponse({"error": exc.message}, exc.status, headers=PRIVATE)
    return JSONResponse(body, headers=PRIVATE)


def _consistency(state: AppState, old: int) -> dict[str, Any]:
    with state.db.read() as session:
        tree = store.tree(session)
        if tree.checkpoint is None:
            raise NotFound("the log has not signed a checkpoint yet")
        if old > tree.size:
            return {
                "old": old,
                "new": tree.size,
                "hashes": [],
                "checkpoint": tree.checkpoint,
                "shrunk": True,
            }
        hashes = store.consistency(session, old=old, new=tree.size) if old else []
    return {
        "old": old,
        "new": tree.size,
        "hashes": [_b64(h) for h in hashes],
        "checkpoint": tree.checkpoint,
        "shrunk": False,
    }


@router.get("/audit/consistency")
async def consistency(request: Request, state: State, _me: Signed) -> Response:
    """The proof that the log now extends the tree of size `old` (the browser checks it)."""
    raw = request.query_params.get("old", "")
    if not raw.isdigit():
        return JSONResponse({"error": "old must be a size"}, 422, headers=PRIVATE)
    try:
        body = await run_in_threadpool(_consistency, state, int(raw))
    except ExecFlowError as exc:
        return JSONResponse({"error": exc.message}, exc.status, headers=PRIVATE)
    return JSONResponse(body, headers=PRIVATE)


def _tlog_proof(state: AppState, index: int) -> str:
    with state.db.read() as session:
        tree = store.tree(session)
        if tree.checkpoint is None or not 0 <= index < tree.size:
            raise NotFound(f"entry {index} is not in a signed checkpoint yet")
        path = store.inclusion(session, index=index, size=tree.size)
        return TlogProof(index, path, tree.checkpoint).encode()


@router.get("/audit/proof/{index}.tlog-proof")
async def tlog_proof(index: int, state: State, _me: Signed) -> Response:
    """The entry's c2sp.org/tlog-proof@v1, to keep and check offline."""
    try:
        text = await run_in_threadpool(_tlog_proof, state, index)
    except ExecFlowError as exc:
        return JSONResponse({"error": exc.message}, exc.status, headers=PRIVATE)
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="entry-{index}.tlog-proof"',
        },
    )
