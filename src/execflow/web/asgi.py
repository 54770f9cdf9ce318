"""Reading a request body and sending a JSON answer in plain ASGI, for the fronts."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Receive, Scope, Send


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The body, read no further than past limit; None if the client went away first."""
    read = await read_some(receive, limit)
    return None if read is None else read[0]


async def read_some(receive: Receive, limit: int) -> tuple[bytes, bool] | None:
    """The body read no further than past limit, and whether more of it follows.

    None if the client went away first.
    """
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
    return b"".join(chunks), True


async def send_json(
    send: Send, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    """Answer with body as compact JSON (bytes are sent as they are)."""
    payload = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    fields = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((name.encode(), value.encode()) for name, value in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": payload})


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (name in lower case), if sent."""
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None
