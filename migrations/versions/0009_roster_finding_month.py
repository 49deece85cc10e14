"""the roster rules' findings per unit and month, maintained on write

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:20:00.000000

Issue 7: the compliance dashboard ran the roster rules over every unit's month whenever
any shift was written. Their findings are now kept per unit and month, marked stale in the
transaction of each write that can change them, and recomputed for those months alone.
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_finding_month",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE",
                                name=op.f("fk_roster_finding_month_unit_id_unit")),
        sa.PrimaryKeyConstraint("unit_id", "year", "month", name=op.f("pk_roster_finding_month")),
    )


def downgrade() -> None:
    op.drop_table("roster_finding_month")
