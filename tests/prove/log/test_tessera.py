"""Our tile reader and note verifier read the log Tessera wrote, and all 16 checkpoints verify."""

from __future__ import annotations

import pytest

from execflow.prove.log import merkle
from execflow.prove.log.checkpoint import open_checkpoint
from execflow.prove.log.note import NoteError, parse_vkey
from execflow.prove.log.sources import DirectorySource
from execflow.prove.log.tiles import decode_bundle, split_hashes
from execflow.prove.log.verify import verify_log
from tests.paths import VECTORS

LOG = VECTORS / "tessera-log"
VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"


@pytest.mark.parametrize("size", range(16))
def test_every_checkpoint_verifies_against_the_entries(size: int) -> None:
    verifier = parse_vkey(VKEY)
    source = DirectorySource(LOG, f"checkpoint.{size}")
    report = verify_log(source, verifier)
    assert report.ok, report.message
    assert report.size == size
    assert report.checkpoint is not None and report.checkpoint.root == report.root


def test_latest_checkpoint_and_consistency_between_all_sizes() -> None:
    verifier = parse_vkey(VKEY)
    source = DirectorySource(LOG)
    latest = open_checkpoint(source.checkpoint(), verifier)
    assert latest.size == 15
    entries = decode_bundle(source.bundle(0, 15))
    leaves = [merkle.leaf_hash(entry) for entry in entries]
    assert split_hashes(source.tile(0, 0, 15)) == leaves
    roots = [merkle.root_of(leaves[:n]) for n in range(16)]

    def node(height: int, index: int) -> bytes:
        return merkle.root_of(leaves[index << height : (index + 1) << height])

    for old in range(1, 16):
        cp = open_checkpoint(DirectorySource(LOG, f"checkpoint.{old}").checkpoint(), verifier)
        assert cp.root == roots[old]
        for new in range(old, 16):
            proof = merkle.consistency_proof(node, old, new)
            merkle.verify_consistency(old, new, proof, roots[old], roots[new])
        for index in range(old):
            path = merkle.inclusion_proof(node, index, old)
            merkle.verify_inclusion(leaves[index], index, old, path, cp.root)


def test_a_wrong_key_is_refused() -> None:
    with pytest.raises(NoteError):
        parse_vkey(VKEY.replace("33d7b496", "33d7b497"))
    forged = DirectorySource(LOG).checkpoint().replace("\n15\n", "\n14\n", 1)
    with pytest.raises(NoteError):
        open_checkpoint(forged, parse_vkey(VKEY))
