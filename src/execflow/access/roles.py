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


SHOWN = 4
"""Characters of a secret left visible when it is masked, so people can tell keys apart."""


def reveal(secret: str | None, role: str) -> str | None:
    """A secret as the role may see it: whole to admins, masked to everyone else."""
    if secret is None or Role(role).allows(Role.ADMIN):
        return secret
    return "*" * max(len(secret) - SHOWN, 8) + secret[-SHOWN:]
