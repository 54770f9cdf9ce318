"""C2SP tlog-proof@v1: self-contained, offline-verifiable proofs of inclusion."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import Checkpoint, open_checkpoint
from execflow.prove.log.note import NoteError, Verifier

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    """An entry index, its audit path and the signed checkpoint it leads to."""

    index: int
    path: list[bytes]
    checkpoint_note: str
    extra: bytes | None = None

    def encode(self) -> str:
        """The text form of the proof."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {base64.b64encode(self.extra).decode()}")
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(step).decode() for step in self.path)
        return "\n".join(lines) + "\n\n" + self.checkpoint_note


def decode(text: str) -> TlogProof:
    """Parse the text form of a proof."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise NoteError("a tlog-proof is a header, a blank line and a checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise NoteError(f"not a {HEADER} proof")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        extra = base64.b64decode(rest.pop(0)[len("extra ") :], validate=True)
    if not rest or not rest[0].startswith("index ") or not rest[0][6:].isdigit():
        raise NoteError("a tlog-proof names its index")
    index = int(rest[0][6:])
    try:
        path = [base64.b64decode(line, validate=True) for line in rest[1:]]
    except binascii.Error as exc:
        raise NoteError("proof hashes are not base64") from exc
    return TlogProof(index, path, note, extra)


def verify(proof: TlogProof, entry: bytes, verifier: Verifier) -> Checkpoint:
    """Check the checkpoint's signature and that entry is at proof.index under it."""
    checkpoint = open_checkpoint(proof.checkpoint_note, verifier)
    merkle.verify_inclusion(
        merkle.leaf_hash(entry), proof.index, checkpoint.size, proof.path, checkpoint.root
    )
    return checkpoint
