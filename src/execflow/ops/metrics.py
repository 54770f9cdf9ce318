"""Prometheus metrics: request counts and latency, and gauges read at scrape time."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HttpCounters:
    """Request counts by method, route template and status, and latency by route."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "execflow_http_requests_total",
            "HTTP requests served.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "execflow_http_request_seconds",
            "HTTP request latency.",
            ["route"],
            registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request (each label set's children are looked up once)."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


class HttpMetrics:
    """ASGI middleware counting every request the application routes."""

    def __init__(self, app: ASGIApp, counters: HttpCounters) -> None:
        self.app, self.counters = app, counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            elapsed = time.perf_counter() - started
            self.counters.record(scope["method"], template, status[0], elapsed)


def register_gauge(
    registry: CollectorRegistry, name: str, doc: str, read: Callable[[], float]
) -> None:
    """A gauge whose value is read when Prometheus scrapes."""
    gauge = Gauge(name, doc, registry=registry)
    gauge.set_function(read)
