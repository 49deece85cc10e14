"""Audit trail: hash chain, append-only triggers, verification (第十五条)."""
import pytest
from sqlalchemy import select, text
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


def test_a_page_of_the_trail_is_the_matching_events_newest_first(db, frozen_clock):
    """审计日志: each page holds the events matching the filter, by id newest first, and
    the count of them all; a page past the last shows the last."""
    from datetime import datetime, timedelta, timezone

    from duty_support import make_actor
    from models.audit import AuditEvent

    auditor = make_actor("auditor", {"audit_admin"})
    start = datetime(2026, 7, 1, tzinfo=timezone.utc)
    for n in range(60):
        frozen_clock.set(start + timedelta(hours=5 * n))
        with transaction() as s:
            audit.record(s, SYSTEM_ACTOR, ("user.create", "login.failure", "unit.update")[n % 3],
                         ("user", "unit")[n % 2], n % 4, details={"n": n, "名": "值"},
                         username=("zhang", "li")[n % 5 == 0])
    with reading() as s:
        every = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().all()
        shown = [audit._row(ev) for ev in every]
    filters = [audit.AuditFilter(),
               audit.AuditFilter(start=start + timedelta(days=2), end=start + timedelta(days=9)),
               audit.AuditFilter(start=start + timedelta(days=1), end=start + timedelta(days=12),
                                 username="Li ", action="user", object_type="user", object_id="2")]
    for f in filters:
        matching = [row for ev, row in zip(every, shown)
                    if (not f.start or ev.at >= f.start) and (not f.end or ev.at < f.end)
                    and (not f.username.strip() or ev.username == f.username.strip().lower())
                    and ev.action.startswith(f.action) and f.object_type in ("", ev.object_type)
                    and f.object_id in ("", ev.object_id)]
        assert matching
        pages = -(-len(matching) // 7)
        for page in range(1, pages + 2):
            got = audit.search_page(auditor, f, page, per_page=7)
            last = min(page, pages)
            assert (got.total, got.page) == (len(matching), last)
            assert got.rows == matching[(last - 1) * 7:last * 7]


def test_a_page_of_the_trail_sorts_ids_from_the_index_not_rows(db):
    """A week of a long trail: the page's hundred ids are chosen from the index on the time
    (which holds the id: SQLite's covering index), and only those rows are read, rather
    than every row of the week read to be sorted by id."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import event

    from duty_support import make_actor

    auditor = make_actor("auditor", {"audit_admin"})
    _append(3)
    conn = db.kw["bind"]
    seen = []
    listener = lambda c, cur, stmt, params, ctx, many: seen.append((stmt, params))  # noqa: E731
    event.listen(conn, "before_cursor_execute", listener)
    now = datetime.now(timezone.utc)
    try:
        page = audit.search_page(auditor, audit.AuditFilter(start=now - timedelta(days=7),
                                                            end=now + timedelta(days=1)))
    finally:
        event.remove(conn, "before_cursor_execute", listener)
    assert page.total == len(page.rows) > 0
    rows = [(stmt, params) for stmt, params in seen if "audit_event.details" in stmt]
    assert len(rows) == 1 and "LIMIT" in rows[0][0]
    if conn.dialect.name != "sqlite":
        return      # PostgreSQL plans from table statistics, which a test's rows do not give
    plan = " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + rows[0][0], rows[0][1]))
    assert "COVERING INDEX ix_audit_event_at" in plan and "INTEGER PRIMARY KEY" in plan, plan
