"""Prove: the audit log and its HTTP face (SLA reports and evidence come next)."""
