"""Tables of the audit log: entries, the append head, the signed tree and its hash tiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from execflow.db import Base, IdType, UtcDateTime


class LogEntry(Base):
    """One canonical entry; idx is its position in the log."""

    __tablename__ = "log_entries"

    idx: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    type: Mapped[str] = mapped_column(String(100))
    subject_kind: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(100))

    __table_args__ = (Index("ix_log_entries_subject", "subject_kind", "subject_id"),)


class LogHead(Base):
    """The single row counting appended entries; its row lock orders appenders."""

    __tablename__ = "log_head"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)


class LogTree(Base):
    """The single row holding the integrated, signed tree; its row lock orders signers."""

    __tablename__ = "log_tree"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary)
    checkpoint: Mapped[str | None] = mapped_column(Text, nullable=True)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class LogTile(Base):
    """A C2SP hash tile as served (up to 256 hashes) and the complete nodes inside it."""

    __tablename__ = "log_tiles"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    inner: Mapped[bytes] = mapped_column(LargeBinary)
