"""The three roles and their order."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """viewer < responder < admin."""

    VIEWER = "viewer"
    RESPONDER = "responder"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the order; higher may do more."""
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        """Whether this role is at least as strong as needed."""
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.RESPONDER: 1, Role.ADMIN: 2}
