"""An ExecFlow instance on disk: data dir, schema, signing key and the first admin token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from execflow.access.roles import Role
from execflow.access.service import create_token
from execflow.access.signin import signin_link
from execflow.config import Settings
from execflow.db import Database
from execflow.migrate import upgrade
from execflow.prove.log.entry import Ref
from execflow.prove.log.keys import create_key, load_signer
from execflow.respond.paging.links import load_secret

CLI_ACTOR = Ref("system", "cli")


class AlreadyInitialised(Exception):
    """The data dir already has a log key."""


@dataclass(frozen=True)
class InitResult:
    """What `execflow init` made."""

    admin_token: str
    vkey: str
    data_dir: str
    database_url: str
    login_url: str
    """A one-time console sign-in link for the admin token (15 minutes)."""


def is_initialised(settings: Settings) -> bool:
    """Whether the data dir has its log key."""
    return settings.key_path.exists()


def prepare(settings: Settings) -> Database:
    """Open the database and bring its schema up to date."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.resolved_database_url)
    upgrade(db.engine)
    return db


def initialise(settings: Settings, *, now: datetime, exist_ok: bool = False) -> InitResult | None:
    """Create data dir, schema, key and an admin token; None if already done and exist_ok."""
    if is_initialised(settings):
        if exist_ok:
            prepare(settings).dispose()
            return None
        raise AlreadyInitialised(f"{settings.data_dir} is already initialised")
    db = prepare(settings)
    for sub in ("keys", "mail", "tiles"):
        (settings.data_dir / sub).mkdir(exist_ok=True)
    os.chmod(settings.data_dir / "keys", 0o700)
    create_key(settings.key_path)
    load_secret(settings.link_key_path)
    signer = load_signer(settings.key_path, settings.log_origin)
    try:
        with db.write() as session:
            token, secret = create_token(
                session, name="admin (init)", role=Role.ADMIN, actor=CLI_ACTOR, now=now
            )
    finally:
        db.dispose()
    link = signin_link(load_secret(settings.link_key_path), kind="token", ident=token.id, now=now)
    return InitResult(
        admin_token=secret,
        vkey=signer.verifier.vkey(),
        data_dir=str(settings.data_dir.resolve()),
        database_url=settings.resolved_database_url,
        login_url=f"{settings.base_url.rstrip('/')}/login/{link}",
    )
