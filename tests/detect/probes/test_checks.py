"""Each kind of check against real servers on loopback."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from execflow.detect.probes import checks
from tests.server import free_port
from tests.target import Target, target


def _run(
    kind: str,
    address: str | None,
    expect: dict[str, Any] | None = None,
    timeout: float = 2.0,
    **extra: Any,
) -> checks.Outcome:
    async def go() -> checks.Outcome:
        async with httpx.AsyncClient() as client:
            return await checks.run(
                client,
                kind=kind,
                target=address,
                expect=expect or {},
                timeout=timeout,
                interval=30,
                last_heartbeat_at=extra.get("last"),
                now=extra.get("now"),
            )

    return asyncio.run(go())


@pytest.fixture
def site() -> Iterator[Target]:
    """A target answering 200 with a JSON body."""
    with target() as found:
        yield found


def test_http_status_latency_and_json_path(site: Target) -> None:
    assert _run("http", site.url).ok
    site.status = 503
    assert not _run("http", site.url).ok
    assert _run("http", site.url, {"status": [503]}).ok
    site.status = 200
    assert _run("http", site.url, {"json_path": "checks.0.db", "json_value": "up"}).ok
    assert not _run("http", site.url, {"json_path": "checks.0.db", "json_value": "down"}).ok
    assert not _run("http", site.url, {"json_path": "missing.path"}).ok
    site.delay = 0.3
    slow = _run("http", site.url, {"max_latency_ms": 100})
    assert slow.ok and slow.degraded
    timed_out = _run("http", site.url, timeout=0.1)
    assert not timed_out.ok and "Timeout" in timed_out.detail
    site.delay = 0
    site.stop()
    assert not _run("http", site.url).ok


def test_keyword_present_and_absent(site: Target) -> None:
    assert _run("keyword", site.url, {"keyword": '"ok"'}).ok
    assert not _run("keyword", site.url, {"keyword": "maintenance"}).ok
    assert _run("keyword", site.url, {"keyword": "maintenance", "absent": True}).ok
    assert not _run("keyword", site.url, {"keyword": "ok", "absent": True}).ok


def test_tcp_connect_and_refused(site: Target) -> None:
    assert _run("tcp", f"127.0.0.1:{site.port}").ok
    site.stop()
    assert not _run("tcp", f"127.0.0.1:{site.port}").ok


def test_dns_resolves_and_expected_value() -> None:
    assert _run("dns", "localhost").ok
    assert _run("dns", "localhost", {"value": "127.0.0.1"}).ok
    assert not _run("dns", "localhost", {"value": "10.9.9.9"}).ok


def test_heartbeat_missing_for_longer_than_interval_plus_grace() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert _run(
        "heartbeat", None, {"grace_seconds": 10}, last=now - timedelta(seconds=40), now=now
    ).ok
    assert not _run(
        "heartbeat", None, {"grace_seconds": 10}, last=now - timedelta(seconds=41), now=now
    ).ok
    assert not _run("heartbeat", None, now=now).ok


@pytest.fixture
def tls_port(tmp_path: Path) -> Iterator[int]:
    """A TLS server whose self-signed certificate expires in 10 days."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=10))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield port
    stop.set()
    thread.join()
    listener.close()


def test_tls_expiry_and_failed_handshake(tls_port: int, site: Target) -> None:
    address = f"127.0.0.1:{tls_port}"
    soon = _run("tls", address, {"verify": False, "min_days": 14})
    assert not soon.ok and "expires in" in soon.detail
    assert _run("tls", address, {"verify": False, "min_days": 5}).ok
    untrusted = _run("tls", address)
    assert not untrusted.ok and "handshake failed" in untrusted.detail
    plain = _run("tls", f"127.0.0.1:{site.port}", {"verify": False})
    assert not plain.ok and "handshake failed" in plain.detail
