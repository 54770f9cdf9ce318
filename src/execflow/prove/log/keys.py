"""The log's Ed25519 signing key on disk (PKCS#8 PEM, mode 0600)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from execflow.prove.log.note import Signer


class LogKeyError(Exception):
    """The key file is missing or unreadable."""


def create_key(path: Path) -> None:
    """Write a new key at path; never overwrites an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def load_signer(path: Path, name: str) -> Signer:
    """Load the key at path as a signer named after the log origin."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as exc:
        raise LogKeyError(f"no log key at {path}; run 'execflow init'") from exc
    except (ValueError, TypeError) as exc:
        raise LogKeyError(f"{path} is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise LogKeyError(f"{path} is not an Ed25519 key")
    return Signer(name, key)
