"""Read models kept per data version (services/view_cache), on SQLite and PostgreSQL:
computed once while nothing changes; again after a write in this process, after a write
by another process (the audit chain's head), after the minute changes for a read that
depends on the time; never kept when a write committed while it was computed."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select, update

from conftest import ROOT, SelectCounter
from duty_support import make_actor, make_unit
from models.incident import DeadlineRecord, Incident
from models.org import Unit
from services import auth, oversight, view_cache
from services.uow import reading, transaction


class Computations:
    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        with reading() as s:
            return tuple(s.execute(select(Unit.name).order_by(Unit.id)).scalars())


def cached(key, compute):
    with reading() as s:
        return view_cache.cached(s, key, compute)


def test_computed_once_while_nothing_changes(db):
    make_unit("柏泉村")
    compute = Computations()
    assert cached("units", compute) == ("柏泉村",)
    with SelectCounter() as sql:
        assert cached("units", compute) == ("柏泉村",)
    assert compute.count == 1 and len(sql) == 1        # only the audit chain's head
    cached("another key", compute)
    assert compute.count == 2


def test_a_write_in_this_process_is_seen(db):
    compute = Computations()
    cached("units", compute)
    make_unit("柏泉村")                                     # straight into the table, no audit row
    assert cached("units", compute) == ("柏泉村",)
    with transaction() as s:                                # a bulk statement, outside the unit of work
        s.execute(update(Unit).values(name="柏泉街道"))
    assert cached("units", compute) == ("柏泉街道",)
    assert compute.count == 3


def test_a_session_touch_keeps_the_read_models(db, frozen_clock):
    make_actor("officer1", {"duty_officer"})
    token = auth.open_session("officer1")
    compute = Computations()
    cached("units", compute)
    frozen_clock.advance(minutes=5)
    auth.actor_for_token(token)                           # writes the session's last activity
    cached("units", compute)
    assert compute.count == 1


def test_a_write_committed_while_computing_is_not_hidden(fresh_db):
    # fresh_db: each session its own connection, as in the server (under `db` a reading
    # session's savepoint would take the nested write back with it).
    compute = Computations()

    def racing():
        value = compute()
        make_unit("柏泉村")       # another session's commit lands while this one computes
        return value

    assert cached("units", racing) == ()
    assert cached("units", compute) == ("柏泉村",)
    assert compute.count == 2


def test_a_write_by_another_instance_is_seen(fresh_db):
    compute = Computations()
    assert cached("units", compute) == ()
    # The other instance behind nginx: another process on the same database, whose
    # commits this process's session events never see; its use case audits.
    script = ("from sqlalchemy.orm import sessionmaker; from models import db; "
              "from models.db import make_engine; from services.directory import units; "
              "from services.permissions import SYSTEM_ACTOR; "
              f"db.configure(sessionmaker(make_engine({str(fresh_db.url.render_as_string(False))!r}))); "
              "units.create_unit(SYSTEM_ACTOR, units.UnitData(name='柏泉村', kind='grassroots'))")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120,
                   env={**os.environ, "PYTHONPATH": ROOT})
    assert cached("units", compute) == ("柏泉村",)
    assert compute.count == 2


def test_the_dashboard_follows_the_clock_and_the_data(db, frozen_clock):
    now = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)
    frozen_clock.set(now)
    office = make_actor("office", {"office_admin"})
    unit = make_unit("柏泉村")
    with transaction() as s:
        inc = Incident(unit_id=unit, title="某路口槽车侧翻", occurred_at=now, received_at=now,
                       place="柏泉大道", source_kind="phone", category="accident", level="II",
                       classification="internal", state="reported", owner_user_id=office.user_id,
                       created_at=now)
        s.add(inc)
        s.flush()
        s.add(DeadlineRecord(unit_id=unit, incident_id=inc.id, kind="report",
                             recipient="district_duty_office", channel="phone",
                             due_at=now + timedelta(seconds=90), latest_at=now + timedelta(seconds=90),
                             article="第二十一条", created_at=now))

    def late_reports():
        rows = oversight.compliance(office, date(2026, 10, 20), date(2026, 10, 20))
        return next(r for r in rows if r.measure == "late_report" and r.unit_id == unit).count

    assert late_reports() == 0
    frozen_clock.advance(minutes=2)                        # past due, nothing written
    assert late_reports() == 1
    with transaction() as s:
        s.execute(select(DeadlineRecord)).scalar_one().satisfied_at = now + timedelta(seconds=60)
    assert late_reports() == 0
