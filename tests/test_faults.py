"""Bad days: the database goes away in the middle of an action, a process dies mid-transaction.

Every test runs on a committed database of its own (`fresh_db`): a fault must be seen by the
next transaction, not hidden in a rolled-back test connection. The user must get a clear
Chinese message, nothing of the action may be stored, and the next action must work again
without anyone restarting anything.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import sessionmaker
from streamlit.testing.v1 import AppTest

from conftest import PG_ADMIN_URL, ROOT
from incident_support import intake, make_people
from models import db as dbmod
from models.audit import AuditEvent
from models.incident import Incident, IncidentEvent, IncidentIntake
from models.org import Unit
from services import audit, auth
from services import incidents as inc
from services.directory import units
from services.errors import DatabaseUnavailable, DomainError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading

CONNECTION_LOST = "数据库暂时无法连接，操作未保存，请稍后重试"
STORAGE_FAILED = "数据库暂时无法访问，操作未保存，请稍后重试"
WAIT_SECONDS = 30           # every wait on the server is bounded by this

only_postgresql = pytest.mark.parametrize("template_db", ["postgresql"], indirect=True)
only_sqlite = pytest.mark.parametrize("template_db", ["sqlite"], indirect=True)


# ---------------------------------------------------------------- helpers

def counts() -> dict[str, int]:
    with reading() as s:
        return {
            "incident": s.scalar(select(func.count(Incident.id))),
            "intake": s.scalar(select(func.count(IncidentIntake.id))),
            "event": s.scalar(select(func.count(IncidentEvent.id))),
            "receive_audit": s.scalar(select(func.count(AuditEvent.id))
                                      .where(AuditEvent.action == "incident.receive")),
            "audit": s.scalar(select(func.count(AuditEvent.id))),
        }


def chain_intact() -> bool:
    with reading() as s:
        return audit.verify_chain(s).intact


def on_statement(engine, marker: str, action):
    """Run `action(conn)` once, just before the first statement containing `marker`."""
    fired: list[str] = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        if not fired and marker in statement:
            fired.append(statement)
            action(conn)

    event.listen(engine, "before_cursor_execute", hook)
    return fired, lambda: event.remove(engine, "before_cursor_execute", hook)


def admin_engine():
    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def terminate(admin, pid: int) -> None:
    """Kill one server backend and wait (bounded) until it is gone."""
    with admin.connect() as c:
        done = c.execute(text("SELECT pg_terminate_backend(:pid, :ms)"),
                         {"pid": pid, "ms": WAIT_SECONDS * 1000}).scalar()
    assert done, f"backend {pid} did not terminate"


def terminate_all(admin, database: str) -> None:
    """Kill every client connection to `database` (as a server restart would), bounded."""
    where = "datname = :d AND backend_type = 'client backend'"
    with admin.connect() as c:
        killed = c.execute(text(f"SELECT pg_terminate_backend(pid, :ms) FROM pg_stat_activity "
                                f"WHERE {where}"), {"d": database, "ms": WAIT_SECONDS * 1000}).all()
    assert killed, f"no connection to {database} to kill"
    wait_until_gone(admin, where, d=database)


def wait_until_gone(admin, where: str, **params) -> None:
    """Wait (bounded) until no backend matches `where` in pg_stat_activity."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with admin.connect() as c:
            left = c.execute(text(f"SELECT count(*) FROM pg_stat_activity WHERE {where}"),
                             params).scalar()
        if not left:
            return
        assert time.monotonic() < deadline, "backend still present after the bounded wait"
        time.sleep(0.05)


# ---------------------------------------------------------------- 1. PostgreSQL connection dropped

@only_postgresql
@pytest.mark.parametrize("marker", [
    "FROM unit",                      # the first read of the use case
    "INSERT INTO incident_event",     # incident and intake written, timeline not yet
    "pg_advisory_xact_lock",          # everything but the audit row written
    "INSERT INTO audit_event",        # the last statement
])
def test_connection_killed_mid_action_saves_nothing_and_recovers(fresh_db, marker):
    p = make_people()
    before = counts()
    admin = admin_engine()
    killed: list[int] = []

    def kill(conn):
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        killed.append(pid)
        terminate(admin, pid)

    fired, remove = on_statement(fresh_db, marker, kill)
    try:
        with pytest.raises(DatabaseUnavailable) as err:
            inc.receive(p.officer, intake(title="断线时登记的事件"))
    finally:
        remove()
        admin.dispose()
    assert fired and killed, f"no statement contained {marker!r}"
    assert str(err.value) == CONNECTION_LOST
    assert counts() == before                      # nothing half-written, no audit row
    assert chain_intact()

    # The very next call works: the dead connection was invalidated, not reused.
    incident_id = inc.receive(p.officer, intake(title="恢复后登记的事件"))
    after = counts()
    assert after["incident"] == before["incident"] + 1
    assert after["receive_audit"] == before["receive_audit"] + 1
    with reading() as s:
        assert s.get(Incident, incident_id).title == "恢复后登记的事件"
    assert chain_intact()


@only_postgresql
def test_database_restart_between_actions_is_invisible_to_the_user(fresh_db):
    """Every pooled connection dies while idle (a server restart): pre-ping replaces them."""
    p = make_people()
    admin = admin_engine()
    try:
        terminate_all(admin, fresh_db.url.database)   # the app's pool holds idle connections
    finally:
        admin.dispose()
    incident_id = inc.receive(p.officer, intake())
    with reading() as s:
        assert s.get(Incident, incident_id) is not None
    assert chain_intact()


@only_postgresql
def test_database_refusing_connections_gives_a_clear_message_then_recovers(fresh_db):
    """The database is down (refuses connections); when it is back, actions work again."""
    p = make_people()
    before = counts()
    admin = admin_engine()
    name = fresh_db.url.database
    try:
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        terminate_all(admin, name)
        with pytest.raises(DatabaseUnavailable, match=CONNECTION_LOST):
            inc.receive(p.officer, intake(title="停库时登记的事件"))
        with pytest.raises(DatabaseUnavailable, match=CONNECTION_LOST):
            units.list_units(p.office_admin)        # reading too
    finally:
        with admin.connect() as c:
            c.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    inc.receive(p.officer, intake(title="恢复后登记的事件"))
    after = counts()
    assert after["incident"] == before["incident"] + 1
    assert after["receive_audit"] == before["receive_audit"] + 1
    assert chain_intact()


# ---------------------------------------------------------------- 2. SQLite database inaccessible

@only_sqlite
@pytest.mark.parametrize("marker", ["INSERT INTO incident_event", "INSERT INTO audit_event"])
def test_sqlite_disk_error_mid_action_saves_nothing(fresh_db, marker):
    p = make_people()
    before = counts()

    def disk_error(conn):
        raise sqlite3.OperationalError("disk I/O error")

    fired, remove = on_statement(fresh_db, marker, disk_error)
    try:
        with pytest.raises(DatabaseUnavailable) as err:
            inc.receive(p.officer, intake(title="磁盘故障时登记的事件"))
    finally:
        remove()
    assert fired
    assert isinstance(err.value, DomainError) and str(err.value) == STORAGE_FAILED
    assert counts() == before
    assert chain_intact()
    inc.receive(p.officer, intake(title="恢复后登记的事件"))
    assert counts()["incident"] == before["incident"] + 1
    assert chain_intact()


@only_sqlite
def test_sqlite_file_that_cannot_be_opened_gives_a_clear_message(fresh_db, tmp_path):
    """The database file's directory is gone (unmounted, removed): a message, not a traceback."""
    p = make_people()
    missing = dbmod.make_engine(f"sqlite:///{tmp_path / 'gone' / 'dutydesk.sqlite'}")
    good = dbmod.session_factory()
    dbmod.configure(sessionmaker(missing, expire_on_commit=False))
    try:
        with pytest.raises(DatabaseUnavailable, match=STORAGE_FAILED):
            inc.receive(p.officer, intake())
        with pytest.raises(DatabaseUnavailable, match=STORAGE_FAILED):
            units.list_units(p.office_admin)
    finally:
        dbmod.configure(good)
        missing.dispose()
    assert counts()["incident"] == 0
    inc.receive(p.officer, intake())               # the file is back: it works again
    assert counts()["incident"] == 1


# ---------------------------------------------------------------- 3. process killed mid-transaction

KILLED_SCRIPT = r"""
import json, os, signal, sys
sys.path[:0] = [sys.argv[1], os.path.join(sys.argv[1], "tests")]
from sqlalchemy import func, select
from incident_support import intake
from models.incident import Incident, IncidentEvent
from services import audit
from services import incidents as inc
from services.permissions import Actor

a = json.loads(sys.argv[2])
actor = Actor(user_id=a["user_id"], username=a["username"], display_name=a["display_name"],
              roles=frozenset(a["roles"]), unit_id=a["unit_id"])

def die_before_audit(session, *args, **kwargs):
    # The incident, its intake and its timeline event are written; the audit row is not.
    session.flush()
    seen = (session.scalar(select(func.count(Incident.id))),
            session.scalar(select(func.count(IncidentEvent.id))))
    print("written", *seen, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

audit.record = die_before_audit
inc.receive(actor, intake(title="进程被终止时登记的事件"))
print("not killed", flush=True)
"""


def test_process_killed_mid_transaction_leaves_consistent_data(fresh_db, tmp_path):
    p = make_people()
    before = counts()
    assert before["incident"] == 0
    url = fresh_db.url.render_as_string(hide_password=False)
    postgres = fresh_db.dialect.name == "postgresql"
    if postgres:
        url += "?application_name=dutydesk_killed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUTYDESK_")}
    env.update(DUTYDESK_DATA_DIR=str(tmp_path), DUTYDESK_DATABASE_URL=url)
    actor = p.officer
    arg = json.dumps({"user_id": actor.user_id, "username": actor.username,
                      "display_name": actor.display_name, "roles": sorted(actor.roles),
                      "unit_id": actor.unit_id})
    done = subprocess.run([sys.executable, "-c", KILLED_SCRIPT, ROOT, arg], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.split() == ["written", "1", "1"], done.stdout + done.stderr

    if postgres:   # the server notices the dead client and rolls its transaction back
        admin = admin_engine()
        try:
            wait_until_gone(admin, "application_name = 'dutydesk_killed'")
        finally:
            admin.dispose()
    assert counts() == before                          # no partial rows
    verify = subprocess.run([sys.executable, "manage.py", "audit-verify"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "审计链完整" in verify.stdout

    incident_id = inc.receive(p.officer, intake(title="重启后登记的事件"))   # services work
    after = counts()
    assert (after["incident"], after["event"], after["receive_audit"]) == (1, 1, 1)
    with reading() as s:
        assert s.get(Incident, incident_id).title == "重启后登记的事件"
    assert chain_intact()


# ---------------------------------------------------------------- 4. the page

GOOD = "Duty#2026ok"


def test_units_page_shows_the_message_when_the_database_is_unavailable(
        fresh_db, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    uid = auth.create_user(SYSTEM_ACTOR, "office", "周八", GOOD, roles={"office_admin"})
    from models.auth import User
    from services.uow import transaction
    with transaction() as s:
        s.get(User, uid).must_change_password = False

    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input("office")
    next(w for w in at.text_input if w.label == "密码").input(GOOD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    at.switch_page("pages/units.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "单位与值班电话"

    real_create_unit = units.create_unit
    database_down = [True]

    def create_unit(*args, **kwargs):
        if database_down[0]:
            raise DatabaseUnavailable()
        return real_create_unit(*args, **kwargs)

    monkeypatch.setattr(units, "create_unit", create_unit)
    at.text_input(key="unit_new_0_name").input("农业服务中心")
    at.text_input(key="unit_new_0_duty_phone").input("027-83880009")
    next(b for b in at.button if b.label == "新增单位").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert CONNECTION_LOST in [e.value for e in at.error]
    assert at.text_input(key="unit_new_0_name").value == "农业服务中心"   # the input is kept
    with reading() as s:
        assert s.scalar(select(func.count(Unit.id))) == 0

    database_down[0] = False     # the database is back: the same form saves
    next(b for b in at.button if b.label == "新增单位").click()
    at.run()
    assert not at.exception and not at.error
    with reading() as s:
        assert s.scalars(select(Unit.name)).all() == ["农业服务中心"]
