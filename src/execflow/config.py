"""Settings read from EXECFLOW_* environment variables and a .env file."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob ExecFlow reads; the README's configuration table mirrors this class."""

    model_config = SettingsConfigDict(
        env_prefix="EXECFLOW_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(
        default=Path("./.execflow"),
        description="Keys, the SQLite file, the local mail outbox and exported tiles.",
    )
    database_url: str = Field(
        default="",
        description="Any SQLAlchemy URL; empty means sqlite:///$DATA_DIR/execflow.db.",
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Used in links inside e-mails and feeds."
    )
    smtp_url: str | None = Field(
        default=None,
        description="smtp://[user:pass@]host:port or smtps://...; unset writes .eml files.",
    )
    mail_from: str = Field(default="execflow@localhost", description="Sender address.")
    log_origin: str = Field(
        default="execflow.localhost/log",
        description="Origin line of the audit log's checkpoints and the signing key's name.",
    )
    public_log: bool = Field(
        default=False,
        description="When false, /log/tile/*, /log/entries/* and /log/proof/* need a token.",
    )
    checkpoint_interval_seconds: float = Field(
        default=0.25,
        description="How often workers integrate new log entries and sign a checkpoint.",
    )
    retention_days: int = Field(
        default=30,
        ge=1,
        description="Days raw check results, per-minute rollups and delivered outbox rows "
        "are kept; hour and day rollups, incidents and the audit log are kept for good.",
    )
    page_name: str = Field(
        default="ExecFlow Status",
        min_length=1,
        max_length=100,
        description="The status page's name (title, heading, mail and feeds).",
    )
    page_logo_url: str = Field(
        default="",
        description="A logo shown on the status page; a path on this server (e.g. "
        "/static/...) or empty for none. Pages load nothing from another origin.",
    )
    page_accent: str = Field(
        default="#1f6feb",
        pattern=r"^#[0-9a-fA-F]{6}$",
        description="The status page's accent colour (#rrggbb).",
    )
    page_components: str = Field(
        default="",
        description="Comma-separated component ids the status page shows; empty shows all.",
    )
    banner_origins: str = Field(
        default="",
        description="Comma-separated origins whose web apps may read /api/v1/banner (CORS).",
    )

    @property
    def shown_components(self) -> frozenset[str]:
        """The component ids the status page is limited to (empty: all)."""
        return frozenset(c.strip() for c in self.page_components.split(",") if c.strip())

    @property
    def banner_origin_list(self) -> frozenset[str]:
        """The origins allowed to read the banner."""
        return frozenset(o.strip().rstrip("/") for o in self.banner_origins.split(",") if o.strip())

    @field_validator("page_logo_url")
    @classmethod
    def _logo_is_local(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("the logo must be a path on this server, such as /static/logo.svg")
        return value

    @field_validator("log_origin")
    @classmethod
    def _origin_is_one_line(cls, value: str) -> str:
        if not value or any(ch.isspace() for ch in value) or "+" in value:
            raise ValueError("log origin must be non-empty, without spaces or '+'")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'execflow.db').resolve()}"

    @property
    def link_key_path(self) -> Path:
        """Where the secret that signs acknowledge links lives."""
        return self.data_dir / "keys" / "links.key"

    @property
    def key_path(self) -> Path:
        """Where the Ed25519 log signing key lives."""
        return self.data_dir / "keys" / "log.key"
