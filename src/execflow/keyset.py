"""Keyset pagination: a stable order, a limit, and an opaque cursor for what follows.

A cursor is the sort key of the last item served, base64url-encoded JSON; the next page
is everything strictly after it in the same order, so items added or removed meanwhile
never shift a page (as offsets would).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from execflow.errors import InvalidInput

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 100, 500


@dataclass(frozen=True)
class Window:
    """Which page: at most `limit` items after the cursor (None: from the start)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of items and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def _encode(values: Sequence[Any]) -> str:
    plain = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
        if not isinstance(plain, list) or len(plain) != size:
            raise ValueError("wrong shape")
        return [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in plain]
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise InvalidInput(
            "cursor is not one this list gave out", details=[{"field": "cursor"}]
        ) from exc


def fetch(
    session: Session,
    query: Select[T],
    order: Sequence[InstrumentedAttribute[Any]],
    window: Window,
    *,
    descending: bool = False,
) -> Slice[T]:
    """One page of query's rows in the given order (which must end in a unique column)."""
    query = query.order_by(*(c.desc() if descending else c.asc() for c in order))
    if window.cursor is not None:
        after = _decode(window.cursor, len(order))
        key = tuple_(*order)
        bound = tuple_(*(literal(v, c.type) for c, v in zip(order, after, strict=True)))
        query = query.where(key < bound if descending else key > bound)
    rows = list(session.execute(query.limit(window.limit + 1)).scalars())
    if len(rows) <= window.limit:
        return Slice(rows, None)
    rows = rows[: window.limit]
    return Slice(rows, _encode([getattr(rows[-1], c.key) for c in order]))
