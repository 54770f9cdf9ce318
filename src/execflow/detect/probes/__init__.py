"""Probes: HTTP, keyword, TCP, TLS expiry, DNS and heartbeat monitors, run by the workers."""
