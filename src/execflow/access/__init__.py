"""Access: API tokens and the roles viewer < responder < admin."""
