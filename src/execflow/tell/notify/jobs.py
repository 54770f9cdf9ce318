"""The outbox jobs of Tell: one mail to one address, and a maintenance notice to fan out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from execflow.outbox import Job


@dataclass(frozen=True)
class MailOut(Job):
    """One status mail to one address; `message_id` stays the same if it is ever re-sent."""

    KIND: ClassVar[str] = "tell.mail"
    to: str
    subject: str
    text: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)
    notification_id: str = ""
