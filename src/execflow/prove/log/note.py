"""C2SP signed-note with Ed25519: key ids, verifier keys, signing and verifying."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "


class NoteError(ValueError):
    """A note or verifier key that is malformed or does not verify."""


def key_id(name: str, public_key: bytes) -> bytes:
    """First 4 bytes of SHA-256(name || 0x0A || 0x01 || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + ALG_ED25519 + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(ch.isspace() for ch in name) or "+" in name:
        raise NoteError(f"bad key name {name!r}")


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 verifier key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte key id."""
        return key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """The verifier key string <name>+<hex id>+<base64(0x01 || key)>."""
        encoded = base64.b64encode(ALG_ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, body: bytes, signature: bytes) -> bool:
        """Whether signature is this key's Ed25519 signature over body."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, body)
        except InvalidSignature:
            return False
        return True


def parse_vkey(text: str) -> Verifier:
    """Parse a verifier key string, checking its key id."""
    parts = text.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key has the form <name>+<hex id>+<base64 key>")
    name, hex_id, encoded = parts
    _check_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
        wanted_id = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"verifier key is not well encoded: {exc}") from exc
    if len(raw) != 33 or raw[:1] != ALG_ED25519 or len(wanted_id) != 4:
        raise NoteError("verifier key is not an Ed25519 key")
    verifier = Verifier(name, raw[1:])
    if verifier.key_id != wanted_id:
        raise NoteError("verifier key id does not match its name and key")
    return verifier


class Signer:
    """A named Ed25519 signing key."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        raw = private_key.public_key().public_bytes_raw()
        self.verifier = Verifier(name, raw)

    def sign(self, body: str) -> str:
        """Sign a note body (which must end in a newline) and return the whole note."""
        if not body.endswith("\n"):
            raise NoteError("a note body must end with a newline")
        signature = self._key.sign(body.encode())
        blob = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{body}\n{SIGNATURE_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_id: bytes
    signature: bytes


def split_note(note: str) -> tuple[str, list[Signature]]:
    """Split a note into its body and signature lines."""
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise NoteError("a note is a body, a blank line and signature lines")
    body, tail = note[: cut + 1], note[cut + 2 :]
    signatures: list[Signature] = []
    for line in tail.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("signature lines start with an em dash and a space")
        fields = line[len(SIGNATURE_PREFIX) :].split(" ")
        if len(fields) != 2:
            raise NoteError("a signature line is '\u2014 <name> <base64>'")
        try:
            blob = base64.b64decode(fields[1], validate=True)
        except binascii.Error as exc:
            raise NoteError("signature is not base64") from exc
        if len(blob) < 5:
            raise NoteError("signature is too short")
        signatures.append(Signature(fields[0], blob[:4], blob[4:]))
    if not signatures:
        raise NoteError("the note has no signatures")
    return body, signatures


def open_note(note: str, verifier: Verifier) -> str:
    """Return the note's body if verifier signed it, else raise NoteError."""
    body, signatures = split_note(note)
    for sig in signatures:
        if sig.name == verifier.name and sig.key_id == verifier.key_id:
            if verifier.verify(body.encode(), sig.signature):
                return body
            raise NoteError(f"signature by {verifier.name} does not verify")
    raise NoteError(f"the note carries no signature by {verifier.name}")
