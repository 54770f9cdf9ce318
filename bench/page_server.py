"""`execflow serve` with constant pages for the page benchmarks: /hello/{bytes}.html.

    EXECFLOW_... python bench/page_server.py PORT

A hello page of any size, answered by the same process, framework and headers as the
pages it stands beside, and first in the routing table (it pays for no route matching
they do not): the ceiling a page is measured against.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import uvicorn
from starlette.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from execflow.app import create_app
from execflow.config import Settings
from execflow.instance import prepare
from execflow.web.pages import html_response

PREFIX = b"<!doctype html><title>hello</title>"


@functools.cache
def hello(size: int) -> bytes:
    """A page of exactly size bytes (at least the prefix)."""
    return PREFIX + b"x" * max(0, size - len(PREFIX))


def main() -> None:
    """Serve the app (with its workers) and the hello pages."""
    settings = Settings()
    app = create_app(settings, db=prepare(settings), run_workers=True)

    @app.get("/hello/{size}.html", include_in_schema=False)
    async def hello_page(size: int) -> Response:
        return html_response(hello(min(size, 10_000_000)), headers={"Cache-Control": "no-store"})

    app.router.routes.insert(0, app.router.routes.pop())
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
