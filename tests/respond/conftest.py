"""Respond fixtures: a real SMTP server, settings that mail to it, and workers on a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from execflow.clock import ManualClock
from execflow.config import Settings
from execflow.db import Database
from execflow.prove.log.note import Signer
from execflow.registry import handlers
from execflow.workers import Workers
from tests.smtp import Mailbox, smtp_server


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def mail_settings(settings: Settings, mailbox: Mailbox) -> Settings:
    """Settings that send mail to the test SMTP server."""
    return settings.model_copy(update={"smtp_url": mailbox.url})


MakeWorkers = Callable[..., Workers]


@pytest.fixture
def make_workers(
    db: Database, signer: Signer, clock: ManualClock, mail_settings: Settings
) -> MakeWorkers:
    """Workers with every real handler, driven by hand on the test clock."""

    def make(owner: str | None = None, conf: Settings | None = None) -> Workers:
        chosen = conf or mail_settings
        return Workers(db, signer, clock, chosen, handlers=handlers(db, chosen, clock), owner=owner)

    return make


def drain(workers: Workers) -> int:
    """Deliver everything due now; returns how many rows were handled."""
    total = 0
    while True:
        done = workers.deliver_once()
        if not done:
            return total
        total += done
