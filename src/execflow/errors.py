"""The domain error tree; app.py maps it to HTTP once, the CLI to exit codes.

ExecFlowError
├── InvalidInput        422 invalid_input
├── NotFound            404 not_found
├── Conflict            409 conflict
├── Unauthorized        401 unauthorized
├── Forbidden           403 forbidden
└── Unavailable         503 unavailable
"""

from __future__ import annotations

from typing import Any, ClassVar


class ExecFlowError(Exception):
    """Base of every error ExecFlow raises on purpose."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InvalidInput(ExecFlowError):
    """The request is well-formed but its content is not acceptable."""

    status = 422
    code = "invalid_input"


class NotFound(ExecFlowError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Conflict(ExecFlowError):
    """The request conflicts with the current state."""

    status = 409
    code = "conflict"


class Unauthorized(ExecFlowError):
    """No valid credential was given."""

    status = 401
    code = "unauthorized"


class Forbidden(ExecFlowError):
    """The credential's role is too weak."""

    status = 403
    code = "forbidden"


class Unavailable(ExecFlowError):
    """A dependency (database, key) is not ready."""

    status = 503
    code = "unavailable"
