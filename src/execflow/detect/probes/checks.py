"""The checks themselves (async, each bounded by its timeout); no database."""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cryptography import x509

DEFAULT_STATUSES = range(200, 400)
DEFAULT_TLS_MIN_DAYS = 14
DEFAULT_HEARTBEAT_GRACE = 60.0


@dataclass(frozen=True)
class Outcome:
    """One check's result."""

    ok: bool
    latency_ms: float | None
    detail: str
    degraded: bool = False


def _json_path(document: Any, path: str) -> tuple[bool, Any]:
    """Follow a dotted path (object keys, list indexes) through a JSON document."""
    value = document
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif (
            isinstance(value, list)
            and part.lstrip("-").isdigit()
            and -len(value) <= int(part) < len(value)
        ):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _http_outcome(
    response: httpx.Response, kind: str, expect: dict[str, Any], latency: float
) -> Outcome:
    statuses = expect.get("status") or list(DEFAULT_STATUSES)
    if response.status_code not in statuses:
        return Outcome(False, latency, f"status {response.status_code}")
    if kind == "keyword":
        found = str(expect.get("keyword", "")) in response.text
        if found == bool(expect.get("absent", False)):
            verb = "found" if found else "missing"
            return Outcome(False, latency, f"keyword {verb}")
    if expect.get("json_path"):
        try:
            document = response.json()
        except ValueError:
            return Outcome(False, latency, "body is not JSON")
        present, value = _json_path(document, str(expect["json_path"]))
        if not present:
            return Outcome(False, latency, f"{expect['json_path']} missing")
        if "json_value" in expect and value != expect["json_value"]:
            return Outcome(False, latency, f"{expect['json_path']} is {value!r}")
    limit = expect.get("max_latency_ms")
    slow = limit is not None and latency > float(limit)
    return Outcome(
        True, latency, f"status {response.status_code}" + (" (slow)" if slow else ""), degraded=slow
    )


async def check_http(
    client: httpx.AsyncClient, kind: str, target: str, expect: dict[str, Any], timeout: float
) -> Outcome:
    """HTTP and keyword checks."""
    started = time.perf_counter()
    try:
        response = await client.get(target, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        return Outcome(False, None, f"{type(exc).__name__}")
    return _http_outcome(response, kind, expect, (time.perf_counter() - started) * 1000)


def _host_port(target: str, default_port: int) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    if not host:
        return target, default_port
    return host.strip("[]"), int(port)


async def check_tcp(target: str, timeout: float) -> Outcome:
    """A TCP connect."""
    host, port = _host_port(target, 80)
    started = time.perf_counter()
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError) as exc:
        return Outcome(False, None, type(exc).__name__)
    writer.close()
    return Outcome(True, (time.perf_counter() - started) * 1000, "connected")


@functools.cache
def tls_context(verify: bool = True) -> ssl.SSLContext:
    """One TLS context per verify setting, shared by every check and HTTP client.

    Building one loads the system's CA certificates: tens of milliseconds each time.
    """
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


async def check_tls(target: str, expect: dict[str, Any], timeout: float, now: datetime) -> Outcome:
    """A TLS handshake, and the certificate's days left against min_days."""
    host, port = _host_port(target, 443)
    context = tls_context(verify=expect.get("verify") is not False)
    started = time.perf_counter()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, server_hostname=host), timeout
        )
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return Outcome(False, None, f"handshake failed: {type(exc).__name__}")
    latency = (time.perf_counter() - started) * 1000
    transport_ssl = writer.get_extra_info("ssl_object")
    der = transport_ssl.getpeercert(binary_form=True) if transport_ssl else None
    writer.close()
    if not der:
        return Outcome(False, latency, "no certificate")
    expires = x509.load_der_x509_certificate(der).not_valid_after_utc
    days = (expires - now) / timedelta(days=1)
    minimum = float(expect.get("min_days", DEFAULT_TLS_MIN_DAYS))
    return Outcome(days >= minimum, latency, f"certificate expires in {days:.1f} days")


async def check_dns(target: str, expect: dict[str, Any], timeout: float) -> Outcome:
    """The name resolves (to the expected address, if one is given)."""
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(target, None, type=socket.SOCK_STREAM), timeout
        )
    except (OSError, TimeoutError) as exc:
        return Outcome(False, None, f"does not resolve: {type(exc).__name__}")
    addresses = sorted({str(info[4][0]) for info in infos})
    latency = (time.perf_counter() - started) * 1000
    wanted = expect.get("value")
    if wanted is not None and str(wanted) not in addresses:
        return Outcome(False, latency, f"resolves to {', '.join(addresses)}")
    return Outcome(True, latency, ", ".join(addresses)[:200])


def check_heartbeat(
    last: datetime | None, interval: float, expect: dict[str, Any], now: datetime
) -> Outcome:
    """Down when no heartbeat came for longer than the interval plus a grace period."""
    grace = float(expect.get("grace_seconds", DEFAULT_HEARTBEAT_GRACE))
    if last is None:
        return Outcome(False, None, "no heartbeat yet")
    silent = (now - last).total_seconds()
    return Outcome(silent <= interval + grace, None, f"last heartbeat {silent:.0f} s ago")


async def run(
    client: httpx.AsyncClient,
    *,
    kind: str,
    target: str | None,
    expect: dict[str, Any],
    timeout: float,
    interval: float,
    last_heartbeat_at: datetime | None,
    now: datetime | None = None,
) -> Outcome:
    """Run one check of any kind; never raises."""
    moment = now or datetime.now(UTC)
    try:
        if kind == "heartbeat":
            return check_heartbeat(last_heartbeat_at, interval, expect, moment)
        if target is None:
            return Outcome(False, None, "no target")
        if kind in ("http", "keyword"):
            return await check_http(client, kind, target, expect, timeout)
        if kind == "tcp":
            return await check_tcp(target, timeout)
        if kind == "tls":
            return await check_tls(target, expect, timeout, moment)
        if kind == "dns":
            return await check_dns(target, expect, timeout)
    except Exception as exc:  # a check reports; it never takes the scheduler down
        return Outcome(False, None, f"check error: {type(exc).__name__}")
    return Outcome(False, None, f"unknown kind {kind}")
