"""Incidents: lifecycle, deadlines, timeline and public updates."""
