"""One POST endpoint under load next to a hello-world endpoint, in the same run."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import wrk
from execflow.config import Settings
from execflow.instance import initialise
from tests.server import serve


def post_against_hello(
    workdir: Path,
    *,
    path: str,
    body: Any,
    prefix: str,
    bodies: list[Any] | None = None,
    seconds: float,
    hello_method: str = "GET",
    setup: Callable[[Settings], dict[str, str]] | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Serve a fresh instance (SQLite, or database_url); load /healthz, then POST path.

    A POST hello carries the same body as the load, so both pay for the same bytes.
    `setup(settings)` may prepare the database first; the values it returns fill `{name}`
    placeholders in `path`, `body` and `bodies` (sent in turn instead of `body`).
    """
    settings = Settings(
        _env_file=None, data_dir=workdir / f"http-{prefix}", database_url=database_url or ""
    )
    made = initialise(settings, now=datetime.now(UTC))
    assert made is not None
    headers = {"Authorization": f"Bearer {made.admin_token}"}
    if setup is not None:
        values = setup(settings)
        path = path.format(**values)
        body = _fill(body, values)
        bodies = None if bodies is None else [_fill(b, values) for b in bodies]
    with serve(settings) as server:
        # Both paths are warmed up for a second: for intake, that second is when the
        # worker opens an incident for each new alert key (see the README).
        greeting = body if hello_method == "POST" else None
        wrk.run(server.url + "/healthz", method=hello_method, body=greeting, seconds=1)
        hello = wrk.run(
            server.url + "/healthz", method=hello_method, body=greeting, seconds=seconds
        )
        wrk.run(
            server.url + path, method="POST", body=body, bodies=bodies, headers=headers, seconds=1
        )
        load = wrk.run(
            server.url + path,
            method="POST",
            body=body,
            bodies=bodies,
            headers=headers,
            seconds=seconds,
        )
    return {
        **load.as_dict(prefix),
        **hello.as_dict(f"http_hello_{hello_method.lower()}"),
        f"{prefix}_to_hello_ratio": round(
            load.requests_per_second / max(hello.requests_per_second, 1), 3
        ),
    }


def _fill(body: Any, values: dict[str, str]) -> Any:
    text = json.dumps(body)
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return json.loads(text)
