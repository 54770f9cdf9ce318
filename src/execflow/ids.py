"""Opaque, prefixed row ids (tok_3f9a...), readable in logs and URLs."""

from __future__ import annotations

import secrets
from typing import Annotated

from pydantic import StringConstraints


def new_id(prefix: str) -> str:
    """A new random id such as 'inc_5c1e0a9b7d3f4e21'."""
    return f"{prefix}_{secrets.token_hex(8)}"


RowId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
"""A row id in a request body: an empty string is refused (422), never looked up."""
