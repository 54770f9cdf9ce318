"""A real HTTP target on loopback for probes: answers on cue, slows down, or goes away."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.server import free_port


@dataclass
class Target:
    """What the target answers; `stop()` takes it off the network, `start()` brings it back."""

    port: int
    status: int = 200
    body: str = '{"status": "ok", "checks": [{"db": "up"}]}'
    delay: float = 0.0
    hits: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The target's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Listen (again) on the same port."""
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                target.hits += 1
                if target.delay:
                    time.sleep(target.delay)
                data = target.body.encode()
                self.send_response(target.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            request_queue_size = 256

        self.server = Server(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop listening: connections are refused."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@contextmanager
def target() -> Iterator[Target]:
    """A running target."""
    found = Target(port=free_port())
    found.start()
    try:
        yield found
    finally:
        found.stop()
