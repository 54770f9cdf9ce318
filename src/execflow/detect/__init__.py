"""Detect: alert ingestion (and, next, probes and anomaly detection) that opens incidents."""
