"""Prove: the audit log, SLA reports and evidence."""
