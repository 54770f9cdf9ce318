"""Detect: alert intake, probes and anomaly detection, each opening or joining incidents."""
