"""`execflow serve` with one extra page for the status page benchmark: /hello.html.

    EXECFLOW_... python bench/status_server.py PORT

/hello.html is a constant page of the same size as /status.html (read once at start),
answered by the same process, framework and headers: the ceiling the status page is
measured against.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import Request
from starlette.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from execflow.app import create_app
from execflow.config import Settings
from execflow.instance import prepare
from execflow.tell.statuspage.cache import StatusCache
from execflow.web.pages import html_response


def main() -> None:
    """Serve the app and the hello page."""
    settings = Settings()
    app = create_app(settings, db=prepare(settings), run_workers=True)
    cache: StatusCache = app.state.status_cache
    size = len(cache.get().html)
    hello = b"<!doctype html><title>hello</title>" + b"x" * max(0, size - 35)

    @app.get("/hello.html", include_in_schema=False)
    async def hello_page(_request: Request) -> Response:
        return html_response(hello, headers={"ETag": '"hello"', "Cache-Control": "max-age=1"})

    # First in the routing table, so it pays for no route matching the status page does not.
    app.router.routes.insert(0, app.router.routes.pop())

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
