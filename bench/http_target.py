"""A local HTTP target for the probe benchmark: `python bench/http_target.py PORT`.

`python -m http.server` (HTTP/1.0, a listen backlog of 5) refuses connections at a few
hundred checks a second, so a quarter of the checks failed and the benchmark measured
the target. This one keeps connections alive (HTTP/1.1) and has a deep backlog.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b'{"status": "ok"}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: one line per check would cost more than the answer."""


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def main() -> None:
    """Serve until killed."""
    _Server(("127.0.0.1", int(sys.argv[1])), _Handler).serve_forever()


if __name__ == "__main__":
    main()
