"""One POST endpoint under load next to a hello-world endpoint, in the same run."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import wrk
from execflow.config import Settings
from execflow.instance import initialise
from tests.server import serve


def post_against_hello(
    workdir: Path, *, path: str, body: Any, prefix: str, seconds: float
) -> dict[str, Any]:
    """Serve a fresh SQLite instance; load GET /healthz, then POST path; report both."""
    settings = Settings(_env_file=None, data_dir=workdir / f"http-{prefix}")
    made = initialise(settings, now=datetime.now(UTC))
    assert made is not None
    headers = {"Authorization": f"Bearer {made.admin_token}"}
    with serve(settings) as server:
        wrk.run(server.url + "/healthz", seconds=1)  # warm up
        hello = wrk.run(server.url + "/healthz", seconds=seconds)
        load = wrk.run(
            server.url + path, method="POST", body=body, headers=headers, seconds=seconds
        )
    return {
        **load.as_dict(prefix),
        **hello.as_dict("http_hello"),
        f"{prefix}_to_hello_ratio": round(
            load.requests_per_second / max(hello.requests_per_second, 1), 3
        ),
    }
