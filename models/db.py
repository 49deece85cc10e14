"""Engine and session setup: one configured engine per process, replaceable in tests."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from config import load_settings


def make_engine(url: str, **kw) -> Engine:
    if url.startswith("sqlite"):
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            raise ValueError("内存数据库在多线程下各自为空，请使用数据库文件")
        engine = create_engine(url, connect_args={"timeout": 30}, **kw)
        _configure_sqlite(engine)
        return engine
    # No parallel workers: the app's statements are small and many users share two cores;
    # starting a worker cost ~20 ms of a 5 ms query (the unsigned handovers of a month).
    # Custom plans only: psycopg prepares a statement run five times (no parsing again), but
    # a generic plan, made once for any values, ignores how unequal the units are (the street
    # office has most of the incidents): one took 525 ms instead of 5 for a page of open calls.
    connect_args = {"options": "-c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_custom_plan",
                    **kw.pop("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kw)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # pysqlite BEGIN fix: let SQLAlchemy emit BEGIN itself so SAVEPOINTs work.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the lock up front: a deferred transaction that reads and then
        # writes would fail with SQLITE_BUSY_SNAPSHOT instead of waiting.
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else ""
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


_session_factory: sessionmaker[Session] | None = None


@lru_cache(maxsize=1)
def _default_engine() -> Engine:
    settings = load_settings()
    if settings.database_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url)


def configure(factory: sessionmaker[Session] | None) -> None:
    """Point the application at another session factory (tests, tools); None resets."""
    global _session_factory
    _session_factory = factory


def session_factory() -> sessionmaker[Session]:
    global _session_factory
    if _session_factory is None:
        _session_factory = sessionmaker(_default_engine(), expire_on_commit=False)
    return _session_factory


def engine() -> Engine:
    return session_factory().kw["bind"]
