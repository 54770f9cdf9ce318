"""Reading the stored log: tree state, tiles, entries, bundles and proofs."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from execflow.errors import InvalidInput, NotFound
from execflow.prove.log import merkle
from execflow.prove.log.models import LogEntry, LogHead, LogTile, LogTree
from execflow.prove.log.tiles import (
    TILE_WIDTH,
    StoredTile,
    TileNodes,
    TileRef,
    encode_bundle,
    tile_width_at,
)


def tree(session: Session) -> LogTree:
    """The signed tree row."""
    return session.execute(select(LogTree).where(LogTree.id == 1)).scalar_one()


def lock_tree(session: Session) -> bool:
    """Lock the signed tree row for this transaction; False if another holds it (PostgreSQL)."""
    row = session.execute(
        select(LogTree.id).where(LogTree.id == 1).with_for_update(skip_locked=True)
    ).first()
    return row is not None


def appended_size(session: Session) -> int:
    """How many entries have been appended (committed), signed or not."""
    return session.execute(select(LogHead.size).where(LogHead.id == 1)).scalar_one()


_TILE = select(LogTile.data, LogTile.inner).where(
    LogTile.level == bindparam("level"), LogTile.idx == bindparam("idx")
)
_SIGNED_SIZE = select(LogTree.size).where(LogTree.id == 1)
_TREE_STATE = select(LogTree.size, LogTree.checkpoint).where(LogTree.id == 1)
_HEAD_SIZE = select(LogHead.size).where(LogHead.id == 1)


def fetch_tile(session: Session, level: int, index: int) -> StoredTile:
    """The stored tile (level, index), empty if there is none."""
    # Core on the session's connection, statement built once: proofs read several tiles
    # each, and ORM statement construction would cost more than the reads themselves.
    row = session.connection().execute(_TILE, {"level": level, "idx": index}).first()
    return StoredTile() if row is None else StoredTile(row.data, row.inner)


def nodes(session: Session) -> TileNodes:
    """A node reader over the stored tiles, caching each tile it reads."""
    return TileNodes(lambda level, index: fetch_tile(session, level, index))


def is_signed_up_to_date(session: Session) -> bool:
    """Whether the latest checkpoint covers every committed entry."""
    head = session.connection().execute(_HEAD_SIZE).scalar_one()
    row = session.connection().execute(_TREE_STATE).one()
    return row.checkpoint is not None and row.size == head


def signed_size(session: Session) -> int:
    """Size of the latest signed checkpoint."""
    return session.connection().execute(_SIGNED_SIZE).scalar_one()


def _check_size(session: Session, size: int) -> None:
    signed = signed_size(session)
    if size > signed:
        raise InvalidInput(f"size {size} is beyond the latest checkpoint's size {signed}")


def inclusion(session: Session, *, index: int, size: int) -> list[bytes]:
    """The audit path of entry index in the tree of size (at most the signed size)."""
    if size < 1 or not 0 <= index < size:
        raise InvalidInput(f"index must be in [0, size) and size at least 1; got {index}, {size}")
    _check_size(session, size)
    return merkle.inclusion_proof(nodes(session).node, index, size)


def consistency(session: Session, *, old: int, new: int) -> list[bytes]:
    """The consistency proof from size old to size new."""
    if not 0 <= old <= new:
        raise InvalidInput(f"need 0 <= old <= new; got {old}, {new}")
    _check_size(session, new)
    return merkle.consistency_proof(nodes(session).node, old, new)


def entry(session: Session, index: int) -> bytes:
    """The canonical bytes of a signed entry."""
    if index < 0 or index >= tree(session).size:
        raise NotFound(f"no signed entry {index}")
    return session.execute(select(LogEntry.data).where(LogEntry.idx == index)).scalar_one()


def entries(session: Session, start: int, stop: int) -> list[bytes]:
    """Entries [start, stop) in order."""
    rows = session.execute(
        select(LogEntry.data)
        .where(LogEntry.idx >= start, LogEntry.idx < stop)
        .order_by(LogEntry.idx)
    ).scalars()
    return list(rows)


def read_tile(session: Session, ref: TileRef) -> bytes:
    """A hash tile or entry bundle exactly as C2SP tlog-tiles serves it."""
    size = tree(session).size
    available = tile_width_at(0 if ref.level is None else ref.level, ref.index, size)
    if ref.width > available:
        raise NotFound(f"{ref.path()} is not in the tree of size {size}")
    if ref.level is None:
        start = ref.index * TILE_WIDTH
        return encode_bundle(entries(session, start, start + ref.width))
    return fetch_tile(session, ref.level, ref.index).hashes[: ref.width * merkle.HASH_SIZE]
