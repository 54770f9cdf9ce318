"""LogSource implementations: a tiles directory, a server over HTTP, and the database."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from execflow.prove.log import store
from execflow.prove.log.tiles import TileRef


class DirectorySource:
    """A C2SP tlog-tiles log laid out on disk (as Tessera writes it)."""

    def __init__(self, root: Path, checkpoint_name: str = "checkpoint") -> None:
        self.root = root
        self.checkpoint_name = checkpoint_name

    def checkpoint(self) -> str:
        """The checkpoint file's text."""
        return (self.root / self.checkpoint_name).read_text()

    def tile(self, level: int, index: int, width: int) -> bytes:
        """A hash tile file."""
        return (self.root / TileRef(level, index, width).path()).read_bytes()

    def bundle(self, index: int, width: int) -> bytes:
        """An entry bundle file."""
        return (self.root / TileRef(None, index, width).path()).read_bytes()


class Refused(Exception):
    """The server refused to serve the log (401 or 403): a credential problem, not a bad log."""

    def __init__(self, status: int) -> None:
        super().__init__(f"the server refused the request ({status})")
        self.status = status


class HttpSource:
    """A log served over HTTP under a prefix such as http://host/log."""

    def __init__(self, prefix: str, *, token: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.prefix = prefix.rstrip("/")
        self.client = httpx.Client(headers=headers, timeout=timeout)

    def _get(self, path: str) -> bytes:
        response = self.client.get(f"{self.prefix}/{path}")
        if response.status_code in (401, 403):
            raise Refused(response.status_code)
        if response.status_code != 200:
            raise LookupError(f"GET {path} answered {response.status_code}")
        return response.content

    def checkpoint(self) -> str:
        """GET <prefix>/checkpoint."""
        return self._get("checkpoint").decode()

    def tile(self, level: int, index: int, width: int) -> bytes:
        """GET a hash tile."""
        return self._get(TileRef(level, index, width).path())

    def bundle(self, index: int, width: int) -> bytes:
        """GET an entry bundle."""
        return self._get(TileRef(None, index, width).path())

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()


class DatabaseSource:
    """The log as stored in ExecFlow's own database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def checkpoint(self) -> str:
        """The latest signed checkpoint."""
        note = store.tree(self.session).checkpoint
        if note is None:
            raise LookupError("the log has not signed a checkpoint yet")
        return note

    def tile(self, level: int, index: int, width: int) -> bytes:
        """A stored hash tile, cut to width."""
        return store.read_tile(self.session, TileRef(level, index, width))

    def inner(self, level: int, index: int) -> bytes:
        """The stored complete nodes inside a tile."""
        return store.fetch_tile(self.session, level, index).inner

    def bundle(self, index: int, width: int) -> bytes:
        """An entry bundle built from stored entries."""
        return store.read_tile(self.session, TileRef(None, index, width))
