"""Scheduled maintenance windows: no incidents from monitors, and no downtime, inside them."""
