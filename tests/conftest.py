"""Shared fixtures: every service test runs on SQLite and on PostgreSQL.

Each backend is migrated once per run with Alembic (so the migrations are tested too);
each test runs inside an outer transaction that is rolled back, services' commits
becoming savepoints.
"""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker

from models import db as dbmod
from models.db import make_engine
from services import clock

# Cheap bcrypt in tests; production keeps the default cost.
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get(
    "DUTYDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def alembic_upgrade(engine) -> None:
    cfg = Config(os.path.join(ROOT, "alembic.ini"))
    cfg.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def _pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:
        return False


def create_pg_database() -> tuple[str, callable]:
    """Create a throwaway database; return its URL and a function that drops it."""
    name = f"dutydesk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def make_backend(kind: str, tmp_dir) -> tuple[str, callable]:
    """A fresh, migrated database of the given kind: (url, cleanup)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_dir}/dutydesk-{uuid.uuid4().hex[:8]}.sqlite"
        cleanup = lambda: None  # noqa: E731
    else:
        if not _pg_available():
            if IN_CI:
                pytest.fail("CI=true: PostgreSQL must be reachable at " + PG_ADMIN_URL)
            pytest.skip("PostgreSQL not reachable (set DUTYDESK_TEST_PG_URL)")
        url, cleanup = create_pg_database()
    engine = make_engine(url)
    alembic_upgrade(engine)
    engine.dispose()
    return url, cleanup


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    url, cleanup = make_backend(request.param, tmp_path_factory.mktemp(request.param))
    engine = make_engine(url)
    yield engine
    engine.dispose()
    cleanup()


@pytest.fixture(autouse=True)
def _no_view_from_another_test():
    # A test's outer rollback takes its data_version tokens back with its rows: read models
    # kept from another test could match them again.
    from services import view_cache
    view_cache.clear()


@pytest.fixture
def db(backend):
    """Session factory bound to one rolled-back connection; the app's services use it."""
    conn = backend.connect()
    outer = conn.begin()
    factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint",
                           expire_on_commit=False)
    dbmod.configure(factory)
    try:
        yield factory
    finally:
        dbmod.configure(None)
        outer.rollback()
        conn.close()


class FrozenClock:
    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kw) -> datetime:
        self.current += timedelta(**kw)
        return self.current

    def set(self, when: datetime) -> None:
        self.current = when


@pytest.fixture
def frozen_clock():
    fc = FrozenClock(datetime(2026, 7, 1, 2, 0, tzinfo=timezone.utc))  # 10:00 Beijing
    clock.set_source(fc)
    yield fc
    clock.set_source(None)


# ---------------------------------------------------------------- fresh databases
# For tests that need real commits seen by other threads or processes (AppTest runs the
# script in its own thread; SQLite connections are bound to theirs): a new database per
# test, copied from one migrated template per backend.

@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def template_db(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"template-{request.param}")
    url, cleanup = make_backend(request.param, tmp)
    yield request.param, url, tmp
    cleanup()


@pytest.fixture
def fresh_db(template_db):
    """A committed, migrated database of its own; app code is pointed at it."""
    import shutil

    kind, template_url, tmp = template_db
    if kind == "sqlite":
        path = tmp / f"fresh-{uuid.uuid4().hex[:8]}.sqlite"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
        url, drop = f"sqlite:///{path}", (lambda: path.unlink(missing_ok=True))
    else:
        name = f"dutydesk_fresh_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_url.rsplit("/", 1)[1]}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

        def drop() -> None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    engine = make_engine(url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        yield engine
    finally:
        dbmod.configure(None)
        engine.dispose()
        drop()


@pytest.fixture
def apptest_v2(monkeypatch):
    """Make AppTest run app.py on every run, as the server does.

    The server switches off the legacy `pages/` folder mode for good once app.py calls
    st.navigation; AppTest resets that flag before each run, so without this every run
    after the first would execute the selected page script alone, skipping app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


def plans_of(conn, run, table: str) -> list[str]:
    """The query plans of the statements `run()` sends that read `table`, each as one line.
    SQLite plans from the schema; PostgreSQL plans from statistics, so there the sequential
    scan is priced out to show an index is usable for the query as written."""
    seen = []

    def record(_c, _cur, statement, params, _ctx, _many):
        seen.append((statement, params))

    event.listen(conn, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(conn, "before_cursor_execute", record)
    explain = "EXPLAIN QUERY PLAN " if conn.dialect.name == "sqlite" else "EXPLAIN "
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    return [" ".join(str(r) for r in conn.exec_driver_sql(explain + statement, params))
            for statement, params in seen if f"FROM {table}" in statement]


class SelectCounter(list):
    """`with SelectCounter() as sql:` collects the SELECT statements run inside the block
    (page and service tests: a statement count must not grow with the data)."""

    def __enter__(self):
        self.bind = dbmod.session_factory().kw["bind"]
        event.listen(self.bind, "before_cursor_execute", self.count)
        return self

    def count(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            self.append(statement)

    def __exit__(self, *_exc):
        event.remove(self.bind, "before_cursor_execute", self.count)
