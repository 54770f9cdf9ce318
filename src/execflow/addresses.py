"""E-mail addresses as people, customers and subscribers give them: one check for all."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]+$")


def check_address(value: str) -> str:
    """The address with its domain lower-cased, or ValueError for something that is not one."""
    if not _ADDRESS.match(value):
        raise ValueError("not an e-mail address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


Address = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=320),
    AfterValidator(check_address),
]
"""An e-mail address in a request body."""
