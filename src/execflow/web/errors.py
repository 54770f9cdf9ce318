"""The contract's error JSON, built once for the app's handlers and the ASGI fronts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from execflow.errors import ExecFlowError


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    """The contract's error JSON."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def domain_error_body(exc: ExecFlowError) -> dict[str, Any]:
    """The error JSON of a domain error (its status is `exc.status`)."""
    return error_body(exc.code, exc.message, exc.details)


def validation_error_body(errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 JSON for request validation errors (pydantic's, locations from the request)."""
    details: list[dict[str, Any]] = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
        for e in errors
    ]
    first: dict[str, Any] = details[0] if details else {"loc": [], "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        message = "the request body is not valid JSON"
    else:
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "request"
        message = f"{where}: {first['msg']}"
    return error_body("validation_error", message, jsonable_encoder(details))


def body_validation_body(exc: ValidationError) -> dict[str, Any]:
    """The 422 JSON for a request body that failed its model (locations under "body")."""
    return validation_error_body([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
