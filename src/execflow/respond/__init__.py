"""Respond: incidents, severities and deadlines, on-call, escalation and paging."""
