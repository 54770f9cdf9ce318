"""C2SP tlog-tiles: tile paths, entry bundles, and tree nodes read out of hash tiles."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from execflow.prove.log.merkle import HASH_SIZE, node_hash, perfect_root

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE
INNER_HASHES = TILE_WIDTH - 2
# Where the nodes of each in-tile height (1..7) start among a full tile's inner hashes.
INNER_START = {rise: TILE_WIDTH - (TILE_WIDTH >> (rise - 1)) for rise in range(1, TILE_HEIGHT)}
MAX_ENTRY_BYTES = 0xFFFF


@dataclass(frozen=True)
class StoredTile:
    """A hash tile as stored: its served hashes, and the complete nodes inside it.

    `inner` holds the nodes at heights 1..7 inside the tile, lowest height first, at
    fixed places (zero bytes where a node is not complete yet), so any node of the tile is
    read rather than recomputed. Tiles from elsewhere have no inner nodes (b'').
    """

    hashes: bytes = b""
    inner: bytes = b""

    @property
    def width(self) -> int:
        """How many hashes the tile holds."""
        return len(self.hashes) // HASH_SIZE


TileFetch = Callable[[int, int], StoredTile]
"""(level, tile index) -> the stored tile, possibly partial, empty if absent."""


class TilePathError(ValueError):
    """A tile path that does not follow the C2SP grammar."""


@dataclass(frozen=True)
class TileRef:
    """One tile: level (None for an entry bundle), index and width (256 when full)."""

    level: int | None
    index: int
    width: int

    @property
    def is_full(self) -> bool:
        """Whether the tile is full (immutable, cacheable forever)."""
        return self.width == TILE_WIDTH

    def path(self) -> str:
        """The tile's path below the log prefix."""
        kind = "entries" if self.level is None else str(self.level)
        tail = "" if self.is_full else f".p/{self.width}"
        return f"tile/{kind}/{encode_index(self.index)}{tail}"


def encode_index(n: int) -> str:
    """Write N in 3-digit groups, all but the last prefixed by x (1234067 -> x001/x234/067)."""
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


_INDEX_RE = re.compile(r"^(?:x\d{3}/)*\d{3}$")


def parse_tile_path(path: str) -> TileRef:
    """Parse 'tile/<L>/<N>[.p/<W>]' or 'tile/entries/<N>[.p/<W>]' (without the log prefix)."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TilePathError(f"not a tile path: {path!r}")
    kind, rest = parts[1], parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width_text = rest[-1]
        if not width_text.isdigit() or width_text != str(int(width_text)):
            raise TilePathError(f"bad partial width in {path!r}")
        width = int(width_text)
        if not 1 <= width < TILE_WIDTH:
            raise TilePathError(f"partial width must be 1..255 in {path!r}")
        rest = [*rest[:-2], rest[-2][: -len(".p")]]
    index_text = "/".join(rest)
    if not _INDEX_RE.match(index_text):
        raise TilePathError(f"bad tile index in {path!r}")
    index = int(index_text.replace("x", "").replace("/", ""))
    if encode_index(index) != index_text:
        raise TilePathError(f"non-canonical tile index in {path!r}")
    if kind == "entries":
        return TileRef(None, index, width)
    if not kind.isdigit() or kind != str(int(kind)) or int(kind) > 63:
        raise TilePathError(f"bad tile level in {path!r}")
    return TileRef(int(kind), index, width)


def tile_width_at(level: int, index: int, tree_size: int) -> int:
    """How many hashes tile (level, index) holds in a tree of tree_size; 0 if none."""
    count = tree_size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, count - index * TILE_WIDTH))


def split_hashes(data: bytes) -> list[bytes]:
    """The 32-byte hashes packed in a tile."""
    if len(data) % HASH_SIZE:
        raise TilePathError("tile length is not a multiple of 32")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its big-endian uint16 length."""
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise ValueError("entry longer than 65535 bytes")
        out += struct.pack(">H", len(entry))
        out += entry
    return bytes(out)


def decode_bundle(data: bytes) -> list[bytes]:
    """Split an entry bundle back into entries."""
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TilePathError("truncated entry bundle")
        (length,) = struct.unpack_from(">H", data, pos)
        pos += 2
        if pos + length > len(data):
            raise TilePathError("truncated entry bundle")
        entries.append(data[pos : pos + length])
        pos += length
    return entries


class TileNodes:
    """Complete tree nodes read from stored tiles, each tile fetched at most once."""

    def __init__(self, fetch: TileFetch) -> None:
        self._fetch = fetch
        self._cache: dict[tuple[int, int], StoredTile] = {}

    def tile(self, level: int, index: int) -> StoredTile:
        """The stored tile, cached for this reader's lifetime."""
        key = (level, index)
        tile = self._cache.get(key)
        if tile is None:
            tile = self._fetch(level, index)
            self._cache[key] = tile
        return tile

    def node(self, height: int, index: int) -> bytes:
        """Hash of the complete subtree at (height, index)."""
        level, rise = divmod(height, TILE_HEIGHT)
        first = index << rise
        count = 1 << rise
        tile = self.tile(level, first >> TILE_HEIGHT)
        offset = first & (TILE_WIDTH - 1)
        if offset + count > tile.width:
            raise LookupError(f"node ({height}, {index}) is not stored yet")
        if rise == 0:
            return tile.hashes[offset * HASH_SIZE : (offset + 1) * HASH_SIZE]
        if tile.inner:
            at = (INNER_START[rise] + (offset >> rise)) * HASH_SIZE
            return tile.inner[at : at + HASH_SIZE]
        chunk = tile.hashes[offset * HASH_SIZE : (offset + count) * HASH_SIZE]
        return perfect_root(split_hashes(chunk))


def inner_nodes(hashes: Sequence[bytes]) -> tuple[bytes, bytes | None]:
    """The complete nodes inside a tile (heights 1..7, fixed places) and its root if full."""
    inner = bytearray(INNER_HASHES * HASH_SIZE)
    level = list(hashes)
    for rise in range(1, TILE_HEIGHT + 1):
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if rise < TILE_HEIGHT:
            at = INNER_START[rise] * HASH_SIZE
            inner[at : at + len(level) * HASH_SIZE] = b"".join(level)
    root = level[0] if len(hashes) == TILE_WIDTH else None
    return bytes(inner), root


def extend_tiles(
    fetch: TileFetch, old_size: int, new_leaves: Sequence[bytes]
) -> dict[tuple[int, int], StoredTile]:
    """Append leaf hashes to a tree of old_size; return every tile that changed."""
    changed: dict[tuple[int, int], StoredTile] = {}
    level, start, hashes = 0, old_size, list(new_leaves)
    while hashes:
        completed: list[bytes] = []
        pos, taken = start, 0
        while taken < len(hashes):
            index, offset = divmod(pos, TILE_WIDTH)
            known = changed.get((level, index)) or fetch(level, index)
            data = known.hashes[: offset * HASH_SIZE]
            if len(data) != offset * HASH_SIZE:
                raise LookupError(f"tile ({level}, {index}) is missing hashes")
            take = min(TILE_WIDTH - offset, len(hashes) - taken)
            data += b"".join(hashes[taken : taken + take])
            inner, root = inner_nodes(split_hashes(data))
            if root is not None:
                completed.append(root)
            changed[(level, index)] = StoredTile(data, inner)
            pos += take
            taken += take
        level, start, hashes = level + 1, start >> TILE_HEIGHT, completed
    return changed
