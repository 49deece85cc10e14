"""a shift's log book: verification requests by unit and the time they were logged

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-30 10:40:00.000000

Issue 7 (data at scale): an open book lists the verification requests logged in its
shift's window that belong to no incident (services/daily/logbook.py). No index had the
time they were logged: PostgreSQL took the incident_id index for `incident_id IS NULL`
(every request of every unit logged without an incident, ten years of them) and SQLite
its equivalent, filtering the unit and the window afterwards. The generated streets link
every request to an incident, so they did not show it; requests logged from calls are not.
Now the book reads a range of (unit_id, logged_at). The same Index(...) line is in
models/incident.py.

If another revision has taken 0013 meanwhile, this one follows it (down_revision).
"""
from alembic import op


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.create_index("ix_verification_request_unit_logged", ["unit_id", "logged_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_request_unit_logged")
