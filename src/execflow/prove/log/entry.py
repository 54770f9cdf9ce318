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
_MAX_EXACT_INT = 2**53 - 1
_COMPACT_SORTED = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


def _check(document: Any) -> bool:
    """Reject values JSON cannot carry exactly; True when the full JCS encoder is needed.

    Without floats, and without object keys outside the Basic Multilingual Plane (where
    UTF-16 and code-point order differ), RFC 8785 output is exactly what `json.dumps`
    writes with sorted keys and compact separators, at a fraction of the cost.
    """
    needs_jcs = False
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if depth > _MAX_DEPTH:
            raise EntryError("entry data is nested too deeply")
        if kind is dict:
            for key, item in value.items():
                if type(key) is not str:
                    raise EntryError("object keys must be strings")
                if not key.isascii() and max(key) > "\ud7ff":
                    needs_jcs = True
                stack.append((item, depth + 1))
        elif kind is list or kind is tuple:
            stack.extend((item, depth + 1) for item in value)
        elif kind is int:
            if abs(value) > _MAX_EXACT_INT:
                raise EntryError("integers in entries must fit in an IEEE double exactly")
        elif kind is float:
            if not math.isfinite(value):
                raise EntryError("entries cannot carry NaN or infinity")
            needs_jcs = True
        else:
            raise EntryError(f"entries cannot carry {kind.__name__} values")
    return needs_jcs


def _encode(document: Any, needs_jcs: bool) -> bytes:
    if needs_jcs:
        encoded: bytes = rfc8785.dumps(document)
        return encoded
    return _COMPACT_SORTED.encode(document).encode()


def canonical_json(document: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON-compatible value."""
    return _encode(document, _check(document))


def encode_entry(
    *, type: str, at: datetime, actor: Ref, subject: Ref, data: dict[str, Any]
) -> bytes:
    """The canonical bytes of one entry; raises EntryError when it cannot be logged."""
    if not _TYPE_RE.match(type):
        raise EntryError(f"entry type {type!r} is not dotted lower-case words")
    if not isinstance(data, dict):
        raise EntryError("entry data is a JSON object")
    document: dict[str, Any] = {
        "v": ENTRY_VERSION,
        "type": type,
        "at": rfc3339(at),
        "actor": actor.as_json(),
        "subject": subject.as_json(),
        "data": data,
    }
    # Only `data` comes from outside; the envelope is strings with ASCII keys.
    encoded = _encode(document, _check(data))
    if b"@" in encoded and _EMAIL_RE.search(encoded.decode()):
        raise EntryError("entries must not carry e-mail addresses; refer to ids")
    if len(encoded) > MAX_ENTRY_BYTES:
        raise EntryError(f"entry is {len(encoded)} bytes; the limit is {MAX_ENTRY_BYTES}")
    return encoded


def decode_entry(raw: bytes) -> dict[str, Any]:
    """Parse entry bytes back into a dict."""
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise EntryError("an entry is a JSON object")
    return value
