"""Which state each table's data is in, for the read models kept by services/view_cache."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class DataVersion(Base):
    """One row per table written since the migration: a random token replaced in the same
    transaction as every write to the table, by every process. Random rather than a
    counter, so a restored database never repeats a token its data did not have."""

    __tablename__ = "data_version"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
