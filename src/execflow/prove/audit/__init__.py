"""The audit log's HTTP face: public checkpoint and key, tiles, proofs and outside events."""
