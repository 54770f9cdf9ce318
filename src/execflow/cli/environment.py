"""What every command reads first: the settings, and whether the data dir is initialised."""

from __future__ import annotations

from execflow.cli.output import EXIT_FAILED, fail
from execflow.config import Settings
from execflow.instance import is_initialised


def settings() -> Settings:
    """Settings from the environment, or a one-line error."""
    try:
        return Settings()
    except Exception as exc:  # pydantic's message is multi-line; keep the first line
        fail(f"bad configuration: {str(exc).splitlines()[0]}")


def require_init(conf: Settings) -> None:
    """Stop with a clear message when the data dir was never initialised."""
    if not is_initialised(conf):
        fail(f"{conf.data_dir} is not initialised; run 'execflow init' first", EXIT_FAILED)
