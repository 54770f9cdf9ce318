"""Escalation policies, frozen onto an incident when it triggers, and their steps in time."""
