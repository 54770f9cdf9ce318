"""The append-only audit log: RFC 9162 tree, C2SP checkpoints, tiles and proofs."""
