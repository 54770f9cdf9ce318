"""A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from functools import cached_property
from typing import Any

from aiosmtpd.controller import Controller

from tests.server import free_port


@dataclass
class Received:
    """One message and when it arrived (time.time()); parsed when first read."""

    to: list[str]
    content: bytes
    arrived: float

    @cached_property
    def message(self) -> Message:
        """The parsed message (parsing waits until asked, to keep the server fast)."""
        return email.message_from_bytes(self.content)

    @property
    def body(self) -> str:
        """The text body."""
        payload = self.message.get_payload(decode=True)
        return payload.decode() if isinstance(payload, bytes) else str(self.message.get_payload())


@dataclass
class Mailbox:
    """Everything the server received."""

    port: int
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """EXECFLOW_SMTP_URL for this server."""
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Wait until at least count messages arrived; return them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.messages)} messages arrived, wanted {count}")

    def snapshot(self) -> list[Received]:
        """The messages so far."""
        with self.lock:
            return list(self.messages)


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        received = Received(list(envelope.rcpt_tos), bytes(envelope.content), time.time())
        with self.box.lock:
            self.box.messages.append(received)
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Run an SMTP server on 127.0.0.1 for the duration."""
    box = Mailbox(port=free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
