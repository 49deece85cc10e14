"""each table's data version, for read models kept across writes elsewhere

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:10:00.000000

Issue 7: services/view_cache kept every read model under one version of the whole
database, so a call logged anywhere recomputed the compliance dashboard. Each write now
replaces its tables' tokens here, in its own transaction; a read model is kept while the
tokens of the tables it read are unchanged, in any process on the database.
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_data_version")),
    )


def downgrade() -> None:
    op.drop_table("data_version")
