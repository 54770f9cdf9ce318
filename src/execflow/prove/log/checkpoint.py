"""C2SP tlog-checkpoint bodies: origin, tree size and root hash."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from execflow.prove.log.merkle import HASH_SIZE
from execflow.prove.log.note import NoteError, Verifier, open_note


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the origin of the log, its size and its root hash."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The checkpoint body text, ready to be signed."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"


def parse_body(body: str) -> Checkpoint:
    """Parse a checkpoint body; extension lines after the root are allowed and ignored."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has origin, size and root lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("checkpoint origin is empty")
    if not size_text.isdigit() or size_text != str(int(size_text)):
        raise NoteError("checkpoint size is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error as exc:
        raise NoteError("checkpoint root is not base64") from exc
    if len(root) != HASH_SIZE:
        raise NoteError("checkpoint root is not 32 bytes")
    return Checkpoint(origin, int(size_text), root)


def open_checkpoint(note: str, verifier: Verifier, *, origin: str | None = None) -> Checkpoint:
    """Verify a signed checkpoint note and parse it; the origin must be the key's name."""
    checkpoint = parse_body(open_note(note, verifier))
    expected = origin or verifier.name
    if checkpoint.origin != expected:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {expected!r}")
    return checkpoint
