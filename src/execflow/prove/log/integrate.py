"""The integrator: hashes new entries into tiles and signs a checkpoint, once per batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from execflow.prove.log import merkle, store
from execflow.prove.log.checkpoint import Checkpoint
from execflow.prove.log.models import LogEntry, LogTile, LogTree
from execflow.prove.log.note import Signer
from execflow.prove.log.tiles import TILE_WIDTH, StoredTile, TileNodes, extend_tiles


class TreeIntegrityError(RuntimeError):
    """The stored tree no longer matches what was signed; the log refuses to sign."""


@dataclass(frozen=True)
class Signed:
    """What one integration produced."""

    size: int
    root: bytes
    note: str


@dataclass(frozen=True)
class Integration:
    """A new tree computed from a signed one: the tiles to write and the new root."""

    old_size: int
    old_note: str | None
    """The checkpoint it extends; apply() writes nothing if that is no longer the latest."""
    new_size: int
    root: bytes
    tiles: dict[tuple[int, int], StoredTile]
    existing: frozenset[tuple[int, int]]
    """Tiles that already have a row (updated, not inserted)."""


def integrate(
    session: Session, *, signer: Signer, now: datetime, max_entries: int = 50_000
) -> Signed | None:
    """Integrate committed entries beyond the signed size and sign the new tree.

    Every checkpoint extends the last one, across restarts and nodes: the new tree is
    built on the stored tiles of the signed tree, whose root is re-checked first, and it
    is written only if the signed tree is still the one it was built on. Returns None
    when there was nothing new to sign (or another node signed first).
    """
    work = plan(session, max_entries=max_entries)
    return None if work is None else apply(session, work, signer=signer, now=now)


def plan(session: Session, *, max_entries: int = 50_000) -> Integration | None:
    """Compute the next tree from committed entries; reads only, so no write lock is held.

    Workers run this in a read transaction and apply() in a short write transaction,
    so hashing never holds up other writers.
    """
    head = session.execute(select(LogTree).where(LogTree.id == 1)).scalar_one()
    old_size = head.size
    rows = session.execute(
        select(LogEntry.idx, LogEntry.data)
        .where(LogEntry.idx >= old_size)
        .order_by(LogEntry.idx)
        .limit(max_entries)
    ).all()
    count = 0
    for offset, row in enumerate(rows):
        if row.idx != old_size + offset:
            break
        count += 1
    if count == 0 and head.checkpoint is not None:
        return None

    stored: dict[tuple[int, int], StoredTile] = {}

    def fetch(level: int, index: int) -> StoredTile:
        key = (level, index)
        if key not in stored:
            stored[key] = store.fetch_tile(session, level, index)
        return stored[key]

    def base_only(level: int, index: int) -> StoredTile:
        # Partial tiles are the ones extended now: check their base hashes, not inner nodes.
        tile = fetch(level, index)
        return tile if tile.width == TILE_WIDTH else StoredTile(tile.hashes)

    if old_size and merkle.subtree_root(TileNodes(base_only).node, 0, old_size) != head.root:
        raise TreeIntegrityError(f"stored tiles no longer give the signed root at size {old_size}")

    leaves = [merkle.leaf_hash(row.data) for row in rows[:count]]
    changed = extend_tiles(fetch, old_size, leaves)
    existing = frozenset(key for key in changed if stored[key].hashes)
    new_size = old_size + count
    stored.update(changed)
    root = merkle.subtree_root(TileNodes(fetch).node, 0, new_size)
    return Integration(old_size, head.checkpoint, new_size, root, changed, existing)


def apply(session: Session, work: Integration, *, signer: Signer, now: datetime) -> Signed | None:
    """Write the planned tiles and sign the new tree, if the signed tree is still its base.

    The tree row is locked first, so two nodes never write at once; a plan built on a
    tree another node has since extended is dropped (the next round plans again).
    """
    head = session.execute(select(LogTree).where(LogTree.id == 1).with_for_update()).scalar_one()
    if (head.size, head.checkpoint) != (work.old_size, work.old_note):
        return None
    for (level, index), tile in work.tiles.items():
        values = {"data": tile.hashes, "inner": tile.inner}
        if (level, index) in work.existing:
            session.execute(
                update(LogTile).where(LogTile.level == level, LogTile.idx == index).values(values)
            )
        else:
            session.execute(insert(LogTile).values(level=level, idx=index, **values))
    note = signer.sign(Checkpoint(signer.name, work.new_size, work.root).body())
    head.size, head.root, head.checkpoint, head.signed_at = work.new_size, work.root, note, now
    session.flush()
    return Signed(work.new_size, work.root, note)
