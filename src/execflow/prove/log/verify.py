"""Re-deriving a whole log from its entries and checking it against its signed checkpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import Checkpoint, open_checkpoint
from execflow.prove.log.note import NoteError, Verifier
from execflow.prove.log.tiles import (
    INNER_START,
    TILE_HEIGHT,
    TILE_WIDTH,
    TilePathError,
    decode_bundle,
    inner_nodes,
    tile_width_at,
)


@runtime_checkable
class InnerSource(Protocol):
    """A source that also keeps the hashes inside full tiles (ExecFlow's own database)."""

    def inner(self, level: int, index: int) -> bytes:
        """The stored complete nodes inside a tile (see tiles.StoredTile)."""
        ...


class LogSource(Protocol):
    """Where a log's checkpoint, hash tiles and entry bundles are read from."""

    def checkpoint(self) -> str:
        """The current signed checkpoint note."""
        ...

    def tile(self, level: int, index: int, width: int) -> bytes:
        """Hash tile (level, index) at width."""
        ...

    def bundle(self, index: int, width: int) -> bytes:
        """Entry bundle index at width."""
        ...


@dataclass(frozen=True)
class Report:
    """The outcome of a full verification."""

    ok: bool
    size: int
    root: bytes
    first_bad_index: int | None
    message: str
    checkpoint: Checkpoint | None = None
    note: str | None = None


Progress = Callable[[int, int], None]


class _Rebuild:
    """Rebuilds every tile level from recomputed leaves and compares with stored tiles."""

    def __init__(self, source: LogSource, size: int) -> None:
        self.source = source
        self.size = size
        self.pending: dict[int, list[bytes]] = {}
        self.bad_by_level: dict[int, int] = {}

    @property
    def first_bad(self) -> int | None:
        """The first bad entry, blamed at the lowest level that disagrees.

        A changed entry also changes every hash above it; the lowest level names it exactly.
        """
        if not self.bad_by_level:
            return None
        return self.bad_by_level[min(self.bad_by_level)]

    def _mismatch(self, level: int, index: int) -> None:
        known = self.bad_by_level.get(level)
        if known is None or index < known:
            self.bad_by_level[level] = index

    def push(self, level: int, index: int, hashes: list[bytes]) -> None:
        """Compare recomputed tile (level, index) with the stored one, then go up."""
        width = len(hashes)
        try:
            stored = self.source.tile(level, index, width)
        except (LookupError, OSError, TilePathError):
            stored = b""
        computed = b"".join(hashes)
        if stored != computed:
            for pos in range(width):
                at = pos * merkle.HASH_SIZE
                if stored[at : at + merkle.HASH_SIZE] != hashes[pos]:
                    self._mismatch(level, (index * TILE_WIDTH + pos) << (TILE_HEIGHT * level))
                    break
        inner, root = inner_nodes(hashes)
        if stored == computed and isinstance(self.source, InnerSource):
            self._check_inner(level, index, inner)
        if root is not None:
            parent = self.pending.setdefault(level + 1, [])
            parent.append(root)
            if len(parent) == TILE_WIDTH:
                self.push(level + 1, index >> TILE_HEIGHT, parent)
                self.pending[level + 1] = []

    def _check_inner(self, level: int, index: int, inner: bytes) -> None:
        assert isinstance(self.source, InnerSource)
        stored = self.source.inner(level, index)
        if stored == inner:
            return
        for rise, start in sorted(INNER_START.items()):
            for j in range(TILE_WIDTH >> rise):
                at = (start + j) * merkle.HASH_SIZE
                if stored[at : at + merkle.HASH_SIZE] != inner[at : at + merkle.HASH_SIZE]:
                    self._mismatch(
                        level, ((index * TILE_WIDTH) + (j << rise)) << (TILE_HEIGHT * level)
                    )
                    return

    def finish(self) -> None:
        """Check the partial tiles left at the right edge of every level."""
        level = 1
        while self.size >> (TILE_HEIGHT * level):
            hashes = self.pending.get(level, [])
            count = self.size >> (TILE_HEIGHT * level)
            index = count // TILE_WIDTH
            if hashes and tile_width_at(level, index, self.size) == len(hashes):
                self.push(level, index, hashes)
            level += 1


def verify_log(
    source: LogSource,
    verifier: Verifier,
    *,
    previous: Checkpoint | None = None,
    note: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Recompute the log from its entries; check tiles, root, signature and consistency."""
    try:
        note = source.checkpoint() if note is None else note
    except (LookupError, OSError) as exc:
        return Report(False, 0, b"", None, f"no checkpoint to verify: {exc}")
    try:
        checkpoint = open_checkpoint(note, verifier)
    except NoteError as exc:
        return Report(False, 0, b"", None, f"checkpoint does not verify: {exc}")
    size = checkpoint.size
    if previous is not None and previous.size > size:
        return Report(
            False,
            size,
            checkpoint.root,
            None,
            f"log shrank from {previous.size} to {size} entries",
            checkpoint,
            note,
        )
    rebuild = _Rebuild(source, size)
    compact = merkle.CompactRange()
    previous_root = merkle.EMPTY_ROOT
    for bundle_index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = tile_width_at(0, bundle_index, size)
        first = bundle_index * TILE_WIDTH
        try:
            entries = decode_bundle(source.bundle(bundle_index, width))
        except (LookupError, OSError, TilePathError) as exc:
            return Report(
                False,
                size,
                checkpoint.root,
                first,
                f"entries from {first} cannot be read: {exc}",
                checkpoint,
                note,
            )
        if len(entries) != width:
            return Report(
                False,
                size,
                checkpoint.root,
                first + min(len(entries), width),
                f"entry bundle {bundle_index} holds {len(entries)} entries, not {width}",
                checkpoint,
                note,
            )
        leaves = [merkle.leaf_hash(entry) for entry in entries]
        for leaf in leaves:
            compact.append(leaf)
            if previous is not None and compact.size == previous.size:
                previous_root = compact.root()
        rebuild.push(0, bundle_index, leaves)
        if progress is not None:
            progress(first + width, size)
    rebuild.finish()
    root = compact.root()
    if rebuild.first_bad is not None:
        return Report(
            False,
            size,
            root,
            rebuild.first_bad,
            f"entry {rebuild.first_bad} does not match the stored tree",
            checkpoint,
            note,
        )
    if root != checkpoint.root:
        return Report(
            False, size, root, None, "entries do not hash to the signed root", checkpoint, note
        )
    if previous is not None and previous.size and previous_root != previous.root:
        return Report(
            False,
            size,
            root,
            None,
            f"log is not consistent with the checkpoint of size {previous.size}",
            checkpoint,
            note,
        )
    return Report(True, size, root, None, f"verified {size} entries", checkpoint, note)
