"""The full schema (every table module imported) and Alembic upgrade/inspection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from execflow import outbox
from execflow.access import models as access_models
from execflow.db import Base
from execflow.detect.anomaly import models as metric_models
from execflow.detect.ingest import models as ingest_models
from execflow.detect.probes import models as probe_models
from execflow.prove.log import models as log_models
from execflow.respond.catalog import models as catalog_models
from execflow.respond.escalation import models as escalation_models
from execflow.respond.incidents import models as incident_models
from execflow.respond.maintenance import models as maintenance_models
from execflow.respond.oncall import models as oncall_models
from execflow.respond.paging import models as paging_models
from execflow.tell.customers import models as customer_models
from execflow.tell.postmortems import models as postmortem_models
from execflow.tell.subscribers import models as subscriber_models

MIGRATIONS = Path(__file__).parent / "migrations"
TABLE_MODULES = (
    access_models,
    log_models,
    outbox,
    catalog_models,
    escalation_models,
    incident_models,
    oncall_models,
    paging_models,
    ingest_models,
    probe_models,
    metric_models,
    maintenance_models,
    customer_models,
    subscriber_models,
    postmortem_models,
)
metadata = Base.metadata


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest schema."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
