"""/docs: the API reference, rendered on the server from the app's own OpenAPI description.

It loads nothing from another origin (the framework's Swagger UI page pulls its script
from a CDN, so it was blank on a machine without internet); /openapi.json stays the
machine-readable description.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from execflow.web.pages import Pages

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete", "head")


def _schema_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")
    return f"list of {name}" if schema.get("type") == "array" and ref else name


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation, grouped by its first tag, in path order."""
    found = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(
                {
                    "tag": (op.get("tags") or ["other"])[0],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema", {})),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": _schema_name(body.get("schema", {})) if body else "",
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return found


def schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The named bodies and their fields."""
    shown = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            {
                "name": field,
                "type": _schema_name(body) or "any",
                "required": field in required,
                "description": body.get("description", ""),
            }
            for field, body in schema.get("properties", {}).items()
        ]
        shown.append({"name": name, "description": schema.get("description", ""), "fields": fields})
    return shown


@router.get("/docs")
async def api_docs(request: Request) -> Response:
    """The API reference."""
    spec = request.app.openapi()
    pages: Pages = request.app.state.pages
    return pages.response(
        "apidocs.html",
        operations=operations(spec),
        schemas=schemas(spec),
        version=spec.get("info", {}).get("version", ""),
    )
