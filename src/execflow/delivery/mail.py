"""Sending e-mail: SMTP (STARTTLS when offered) or SMTPS, else .eml files in the data dir."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

SMTP_TIMEOUT_SECONDS = 15.0


class MailConfigError(ValueError):
    """EXECFLOW_SMTP_URL is not a usable smtp:// or smtps:// URL."""


def send(message: EmailMessage, *, smtp_url: str | None, maildir: Path) -> str:
    """Send one message; returns where it went (an SMTP host or a file path)."""
    if not smtp_url:
        maildir.mkdir(parents=True, exist_ok=True)
        path = maildir / f"{uuid.uuid4().hex}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes())
        tmp.rename(path)
        return str(path)
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
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
    return f"{parts.hostname}:{port}"
