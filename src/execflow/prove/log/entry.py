"""Audit log entries: RFC 8785 canonical JSON in the contract's shape, no personal data."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785

from execflow.clock import rfc3339
from execflow.prove.log.tiles import MAX_ENTRY_BYTES

ENTRY_VERSION = 1
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_MAX_DEPTH = 32


class EntryError(ValueError):
    """An entry that cannot go into the log."""


@dataclass(frozen=True)
class Ref:
    """A reference to an actor or a subject: its kind and id."""

    kind: str
    id: str

    def as_json(self) -> dict[str, str]:
        """The JSON object form."""
        return {"kind": self.kind, "id": self.id}


def _scan(value: Any, depth: int = 0) -> None:
    """Reject values JSON cannot carry exactly, and anything that looks like an e-mail."""
    if depth > _MAX_DEPTH:
        raise EntryError("entry data is nested too deeply")
    if isinstance(value, str):
        if _EMAIL_RE.search(value):
            raise EntryError("entries must not carry e-mail addresses; refer to ids")
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > 2**53:
            raise EntryError("integers in entries must fit in an IEEE double exactly")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise EntryError("entries cannot carry NaN or infinity")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EntryError("object keys must be strings")
            _scan(key, depth + 1)
            _scan(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            _scan(item, depth + 1)
    else:
        raise EntryError(f"entries cannot carry {type(value).__name__} values")


def encode_entry(
    *, type: str, at: datetime, actor: Ref, subject: Ref, data: dict[str, Any]
) -> bytes:
    """The canonical bytes of one entry; raises EntryError when it cannot be logged."""
    if not _TYPE_RE.match(type):
        raise EntryError(f"entry type {type!r} is not dotted lower-case words")
    document: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "type": type,
        "at": rfc3339(at),
        "actor": actor.as_json(),
        "subject": subject.as_json(),
        "data": data,
    }
    _scan(document)
    encoded: bytes = rfc8785.dumps(document)
    if len(encoded) > MAX_ENTRY_BYTES:
        raise EntryError(f"entry is {len(encoded)} bytes; the limit is {MAX_ENTRY_BYTES}")
    return encoded


def decode_entry(raw: bytes) -> dict[str, Any]:
    """Parse entry bytes back into a dict."""
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise EntryError("an entry is a JSON object")
    return value
