"""Read models kept per state of the tables they read (services/view_cache), on SQLite and
PostgreSQL: computed once while nothing they read changes; again after a write to one of
those tables in this process or another, after the minute changes for a read that depends
on the time; never kept when a write committed while it was computed, or when it wrote."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from conftest import ROOT, SelectCounter
from duty_support import make_actor, make_person, make_street, make_unit
from models.incident import DeadlineRecord, Incident
from models.org import Person, Unit
from models.roster import SpecialPeriodRow, special_period_unit
from services import auth, clock, oversight, view_cache
from services.daily import calls
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
    assert compute.count == 1 and len(sql) == 1        # only the tables' tokens
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


# ---------------------------------------------------------------- the tables a model read

class Counting:
    """A computation reading one statement, counted."""

    def __init__(self, statement):
        self.statement, self.count = statement, 0

    def __call__(self):
        self.count += 1
        with reading() as s:
            return tuple(s.execute(self.statement).all())


def test_a_write_to_a_table_the_model_did_not_read_keeps_it(db):
    unit = make_unit("柏泉村")
    compute = Counting(select(Unit.name))
    cached("units", compute)
    make_person(unit, "张三")                              # person, not unit
    with SelectCounter() as sql:
        assert cached("units", compute) == (("柏泉村",),)
    assert compute.count == 1 and len(sql) == 1
    with transaction() as s:
        s.get(Unit, unit).duty_phone = "027-83880000"
    cached("units", compute)
    assert compute.count == 2


def test_the_tables_of_joins_and_subqueries_are_read(db):
    unit = make_unit("柏泉村")
    people = select(func.count()).select_from(Person).where(Person.unit_id == Unit.id).scalar_subquery()
    compute = Counting(select(Unit.name, people))
    assert cached("units", compute) == (("柏泉村", 0),)
    make_person(unit, "张三")
    assert cached("units", compute) == (("柏泉村", 1),)


def test_association_rows_and_rows_deleted_by_cascade_are_seen(db):
    unit = make_unit("柏泉村")
    with transaction() as s:
        period = SpecialPeriodRow(kind="sensitive", name="国庆", all_units=False,
                                  starts_at=datetime(2026, 10, 1, tzinfo=timezone.utc),
                                  ends_at=datetime(2026, 10, 8, tzinfo=timezone.utc),
                                  double_staffing=True, leaders_on_duty=True)
        period.units.append(s.get(Unit, unit))
        s.add(period)
    compute = Counting(select(special_period_unit.c.unit_id).order_by(special_period_unit.c.unit_id))
    other = make_unit("某社区")
    assert cached("period units", compute) == ((unit,),)    # the association table alone
    with transaction() as s:                        # a collection changed: its association rows
        period = s.execute(select(SpecialPeriodRow)).scalar_one()
        period.units.append(s.get(Unit, other))
    assert cached("period units", compute) == ((unit,), (other,))
    with transaction() as s:                        # ON DELETE CASCADE, not the unit of work
        s.execute(delete(SpecialPeriodRow))
    assert cached("period units", compute) == ()


def test_a_model_read_inside_another_passes_its_tables_on(db):
    unit = make_unit("柏泉村")
    inner = Counting(select(Person.name))
    outer_count = []

    def outer():
        outer_count.append(1)
        with reading() as s:
            names = view_cache.cached(s, "people", inner)
            return (tuple(s.execute(select(Unit.name)).scalars()), names)

    cached("people", inner)                          # kept: the outer computation will find it
    cached("page", outer)
    make_person(unit, "张三")                         # read by the inner model only
    assert cached("page", outer) == (("柏泉村",), (("张三",),))
    assert len(outer_count) == 2


def test_a_computation_that_writes_is_not_kept(fresh_db):
    compute = Computations()    # fresh_db: under `db` the reading session would take the write back

    def writing():
        make_unit("柏泉村")
        return compute()

    assert cached("units", writing) == ("柏泉村",)
    assert cached("units", compute) == ("柏泉村",)
    assert compute.count == 2


def test_a_call_logged_leaves_the_dashboard_a_check_in_does_not(db, frozen_clock):
    # The point of keeping models per table: on a busy street something is written every
    # few seconds, most of it read by no dashboard.
    office = make_actor("office", {"office_admin"})
    street = make_street()
    officer = make_actor("officer", {"duty_officer"}, street.unit_id, street.officers["张三"])
    today = clock.local(frozen_clock()).date()
    oversight.compliance(office, today, today)
    calls.log_call(officer, calls.CallInput(summary="某社区报告路面积水", caller="张某"))
    with SelectCounter() as sql:
        oversight.compliance(office, today, today)
    assert not any("shift" in q for q in sql)        # nothing computed again
    make_unit("某社区")                               # a unit: a row of the dashboard
    with SelectCounter() as sql:
        rows = oversight.compliance(office, today, today)
    assert any("FROM shift" in q for q in sql) and any(r.unit_name == "某社区" for r in rows)



def test_the_dashboard_recomputed_each_minute_keeps_its_roster_findings(db, frozen_clock):
    # The roster rules (第二、九、十条) are most of the dashboard's work and do not depend on
    # the time: a new minute, or a write they do not read, recomputes the rest only.
    office = make_actor("office", {"office_admin"})
    street = make_street()
    today = clock.local(frozen_clock()).date()

    def gaps():
        rows = oversight.compliance(office, today, today)
        return next(r for r in rows if r.measure == "coverage_gap" and r.unit_id == street.unit_id).count

    assert gaps() == 1                                # no published roster: the day uncovered
    frozen_clock.advance(minutes=1)
    with SelectCounter() as sql:
        assert gaps() == 1
    assert any("FROM check_in" in q for q in sql)     # the dashboard computed again …
    assert not any("shift_officer" in q for q in sql)  # … without the roster rules
    with transaction() as s:                          # what the roster rules read
        s.add(SpecialPeriodRow(kind="flood_season", name="汛期", starts_at=frozen_clock(),
                               ends_at=frozen_clock() + timedelta(days=1),
                               double_staffing=True, leaders_on_duty=False))
    with SelectCounter() as sql:
        assert gaps() == 1
    assert any("shift_officer" in q for q in sql)

def test_objects_loaded_before_the_computation_count_as_read(db):
    unit = make_unit("柏泉村")

    def name_of_unit(s):
        return s.get(Unit, unit).name        # from the session's identity map: no SQL

    def page():
        with reading() as s:
            checked = s.get(Unit, unit)       # a permission check loaded it, and holds it
            assert checked is not None
            return view_cache.cached(s, "unit name", lambda: name_of_unit(s))

    assert page() == "柏泉村"
    with transaction() as s:
        s.get(Unit, unit).name = "柏泉街道"
    assert page() == "柏泉街道"
