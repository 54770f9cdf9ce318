"""Property tests: proofs built from tiles verify, and any single changed byte is caught."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from execflow.prove.log import merkle
from execflow.prove.log.tiles import StoredTile, TileNodes, extend_tiles


def _tree(size: int, seed: int) -> tuple[list[bytes], TileNodes]:
    leaves = [merkle.leaf_hash(f"{seed}:{i}".encode()) for i in range(size)]
    tiles: dict[tuple[int, int], StoredTile] = {}
    done = 0
    # Grow in uneven steps, as the integrator does, so partial tiles get extended.
    step = 1 + seed % 97
    while done < size:
        chunk = leaves[done : done + step]
        tiles.update(extend_tiles(lambda lv, ix: tiles.get((lv, ix), StoredTile()), done, chunk))
        done += len(chunk)
        step = step * 3 % 301 + 1
    return leaves, TileNodes(lambda lv, ix: tiles.get((lv, ix), StoredTile()))


sizes = st.integers(min_value=1, max_value=70_000)


@settings(max_examples=40, deadline=None)
@given(size=sizes, seed=st.integers(0, 10_000), data=st.data())
def test_inclusion_proofs_verify(size: int, seed: int, data: st.DataObject) -> None:
    leaves, nodes = _tree(size, seed)
    root = merkle.root_of(leaves)
    assert merkle.subtree_root(nodes.node, 0, size) == root
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(nodes.node, index, size)
    merkle.verify_inclusion(leaves[index], index, size, path, root)


@settings(max_examples=40, deadline=None)
@given(size=sizes, seed=st.integers(0, 10_000), data=st.data())
def test_consistency_proofs_verify(size: int, seed: int, data: st.DataObject) -> None:
    leaves, nodes = _tree(size, seed)
    old = data.draw(st.integers(1, size))
    proof = merkle.consistency_proof(nodes.node, old, size)
    merkle.verify_consistency(
        old, size, proof, merkle.root_of(leaves[:old]), merkle.root_of(leaves)
    )


@settings(max_examples=60, deadline=None)
@given(size=st.integers(2, 3000), seed=st.integers(0, 1000), data=st.data())
def test_any_flipped_byte_in_an_inclusion_proof_is_caught(
    size: int, seed: int, data: st.DataObject
) -> None:
    leaves, nodes = _tree(size, seed)
    root = merkle.root_of(leaves)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_proof(nodes.node, index, size)
    blob = bytearray(b"".join([leaves[index], *path, root]))
    at = data.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= 1 << data.draw(st.integers(0, 7))
    hashes = [bytes(blob[i : i + 32]) for i in range(0, len(blob), 32)]
    try:
        merkle.verify_inclusion(hashes[0], index, size, hashes[1:-1], hashes[-1])
    except merkle.ProofError:
        return
    raise AssertionError("a changed byte went unnoticed")


@settings(max_examples=60, deadline=None)
@given(size=st.integers(3, 3000), seed=st.integers(0, 1000), data=st.data())
def test_any_flipped_byte_in_a_consistency_proof_is_caught(
    size: int, seed: int, data: st.DataObject
) -> None:
    leaves, nodes = _tree(size, seed)
    old = data.draw(st.integers(1, size - 1))
    proof = merkle.consistency_proof(nodes.node, old, size)
    blob = bytearray(b"".join([merkle.root_of(leaves[:old]), merkle.root_of(leaves), *proof]))
    at = data.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= 1 << data.draw(st.integers(0, 7))
    hashes = [bytes(blob[i : i + 32]) for i in range(0, len(blob), 32)]
    try:
        merkle.verify_consistency(old, size, hashes[2:], hashes[0], hashes[1])
    except merkle.ProofError:
        return
    raise AssertionError("a changed byte went unnoticed")


def test_empty_tree_root_is_the_hash_of_nothing() -> None:
    assert merkle.root_of([]) == merkle.EMPTY_ROOT
    assert merkle.consistency_proof(lambda h, i: b"", 0, 5) == []
    assert merkle.verify_consistency_from_empty(0, [])
