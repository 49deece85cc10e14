"""Audit trail: hash chain, append-only triggers, verification (第十五条)."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services import audit
from services.permissions import SYSTEM_ACTOR
from services.uow import reading, transaction


def _append(n):
    for i in range(n):
        with transaction() as s:
            audit.record(s, SYSTEM_ACTOR, "test.event", "thing", i, details={"n": i, "名": "值"})


def test_chain_links_each_row_to_the_previous(db):
    _append(3)
    with reading() as s:
        report = audit.verify_chain(s)
        rows = s.execute(text("SELECT prev_hash, hash FROM audit_event ORDER BY id")).all()
    assert report.intact and report.rows == 3
    assert rows[0].prev_hash == audit.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
])
def test_update_and_delete_are_refused_by_the_database(db, statement):
    _append(1)
    with pytest.raises(DBAPIError, match="append-only"):
        with transaction() as s:
            s.execute(text(statement))


def test_verify_names_the_first_tampered_row(db):
    _append(4)
    with transaction() as s:
        target = s.execute(text("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 2")).scalar()
        # Someone with database access bypasses the application and the trigger.
        if s.get_bind().dialect.name == "sqlite":
            s.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            s.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        s.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE id = :i"), {"i": target})
    with reading() as s:
        report = audit.verify_chain(s)
    assert not report.intact
    assert report.broken_id == target
