"""Sending e-mail: SMTP (STARTTLS when offered) or SMTPS, else .eml files in the data dir.

Each delivery thread keeps its SMTP connection open between messages: a burst of pages
pays for one handshake per thread, not one per message.
"""

from __future__ import annotations

import contextlib
import quopri
import smtplib
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from email.header import Header
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 15.0


class MailConfigError(ValueError):
    """EXECFLOW_SMTP_URL is not a usable smtp:// or smtps:// URL."""


@dataclass(frozen=True)
class Mail:
    """A plain-text message."""

    sender: str
    to: str
    subject: str
    text: str
    headers: dict[str, str] = field(default_factory=dict)


def _header(value: str) -> str:
    clean = " ".join(value.splitlines())
    return clean if clean.isascii() else Header(clean, "utf-8").encode()


def render(mail: Mail) -> bytes:
    """RFC 5322 bytes: UTF-8 text, quoted-printable; a Message-ID in `headers` is kept.

    Built by hand: the email package's
    header machinery costs about a millisecond per message, which a burst of pages feels."""
    headers = dict(mail.headers)
    message_id = headers.pop("Message-ID", None) or make_msgid(domain="execflow")
    lines = [
        f"From: {_header(mail.sender)}",
        f"To: {_header(mail.to)}",
        f"Subject: {_header(mail.subject)}",
        f"Date: {formatdate(usegmt=True)}",
        f"Message-ID: {message_id}",
        *(f"{name}: {_header(value)}" for name, value in headers.items()),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
    ]
    body = quopri.encodestring(mail.text.replace("\r\n", "\n").encode()).replace(b"\n", b"\r\n")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class _Connections(threading.local):
    """One open SMTP connection per delivery thread, reused across messages."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.client: smtplib.SMTP | None = None


_connections = _Connections()


def _connect(smtp_url: str) -> smtplib.SMTP:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailConfigError("EXECFLOW_SMTP_URL must look like smtp://host:port or smtps://...")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=SMTP_TIMEOUT_SECONDS)
    client.ehlo()
    if parts.scheme == "smtp" and client.has_extn("starttls"):
        client.starttls(context=ssl.create_default_context())
        client.ehlo()
    if parts.username:
        client.login(unquote(parts.username), unquote(parts.password or ""))
    return client


def _drop() -> None:
    client, _connections.client = _connections.client, None
    if client is not None:
        with contextlib.suppress(OSError):
            client.close()


def _send_smtp(mail: Mail, smtp_url: str) -> None:
    """Send over this thread's open connection; reconnect once if the server dropped it."""
    for attempt in (1, 2):
        if _connections.client is None or _connections.url != smtp_url:
            _drop()
            _connections.client, _connections.url = _connect(smtp_url), smtp_url
        try:
            _connections.client.sendmail(mail.sender, [mail.to], render(mail))
            return
        except smtplib.SMTPServerDisconnected:
            _drop()
            if attempt == 2:
                raise
        except (smtplib.SMTPException, OSError):
            _drop()
            raise


def send(mail: Mail, *, smtp_url: str | None, maildir: Path) -> str:
    """Send one message; returns where it went (an SMTP server or a file path)."""
    if not smtp_url:
        maildir.mkdir(parents=True, exist_ok=True)
        path = maildir / f"{uuid.uuid4().hex}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(render(mail))
        tmp.rename(path)
        return str(path)
    _send_smtp(mail, smtp_url)
    return smtp_url
