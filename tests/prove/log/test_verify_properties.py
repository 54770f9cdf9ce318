"""Property: any single changed byte in a stored log (entry or hash tile) fails verification."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import Checkpoint
from execflow.prove.log.note import Signer
from execflow.prove.log.tiles import (
    TILE_WIDTH,
    StoredTile,
    encode_bundle,
    extend_tiles,
    tile_width_at,
)
from execflow.prove.log.verify import verify_log

SIGNER = Signer("test.example/log", Ed25519PrivateKey.generate())


class MemoryLog:
    """A log held in dicts, shaped as tlog-tiles serves it."""

    def __init__(self, size: int) -> None:
        self.entries = [f'{{"n":{i}}}'.encode() for i in range(size)]
        leaves = [merkle.leaf_hash(e) for e in self.entries]
        self.tiles: dict[tuple[int, int], bytes] = {
            key: tile.hashes
            for key, tile in extend_tiles(lambda lv, ix: StoredTile(), 0, leaves).items()
        }
        self.note = SIGNER.sign(Checkpoint(SIGNER.name, size, merkle.root_of(leaves)).body())

    def checkpoint(self) -> str:
        return self.note

    def tile(self, level: int, index: int, width: int) -> bytes:
        return self.tiles[(level, index)][: width * 32]

    def bundle(self, index: int, width: int) -> bytes:
        start = index * TILE_WIDTH
        return encode_bundle(self.entries[start : start + width])


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 1500), data=st.data())
def test_a_changed_entry_byte_is_named(size: int, data: st.DataObject) -> None:
    log = MemoryLog(size)
    assert verify_log(log, SIGNER.verifier).ok
    index = data.draw(st.integers(0, size - 1))
    entry = bytearray(log.entries[index])
    entry[data.draw(st.integers(0, len(entry) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    log.entries[index] = bytes(entry)
    report = verify_log(log, SIGNER.verifier)
    assert not report.ok and report.first_bad_index == index


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 70_000), data=st.data())
def test_a_changed_tile_byte_is_caught(size: int, data: st.DataObject) -> None:
    log = MemoryLog(size)
    key = data.draw(st.sampled_from(sorted(log.tiles)))
    tile = bytearray(log.tiles[key])
    at = data.draw(st.integers(0, len(tile) - 1))
    tile[at] ^= 1 << data.draw(st.integers(0, 7))
    log.tiles[key] = bytes(tile)
    report = verify_log(log, SIGNER.verifier)
    level, index = key
    first = (index * TILE_WIDTH + at // 32) << (8 * level)
    assert not report.ok and report.first_bad_index == first
    assert tile_width_at(level, index, size) * 32 == len(tile)
