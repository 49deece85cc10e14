"""How a read session ends (services/uow.reading)."""
from __future__ import annotations

from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.orm import sessionmaker

from models import db as dbmod
from models.db import make_engine
from models.org import Unit
from services.uow import reading


def test_a_read_that_wrote_is_rolled_back(db):
    with reading() as s:
        s.add(Unit(name="读时误写的单位", kind="community"))
        s.flush()
    with reading() as s:
        assert s.scalar(select(func.count()).where(Unit.name == "读时误写的单位")) == 0


def test_a_read_that_changed_a_loaded_row_writes_nothing(db):
    with db() as s:
        s.add(Unit(name="原名单位", kind="community"))
        s.commit()
    with reading() as s:
        s.execute(select(Unit).where(Unit.name == "原名单位")).scalar_one().name = "读时改名"
    with reading() as s:
        assert s.scalar(select(func.count()).where(Unit.name == "原名单位")) == 1


def test_reads_keep_the_statements_postgresql_prepared(backend):
    """A clean read ends with COMMIT: a ROLLBACK makes psycopg drop every prepared
    statement, and each page's statements were planned again on every run."""
    if backend.dialect.name != "postgresql":
        return    # SQLite keeps its statement cache whichever way a transaction ends
    engine = make_engine(backend.url.render_as_string(hide_password=False))  # one connection
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        stmt = select(Unit.id.label("prepared_probe")).where(Unit.id == bindparam("u"))
        for _ in range(6):    # psycopg prepares a statement on its fifth execution
            with reading() as s:
                s.execute(stmt, {"u": 1}).all()
        with reading() as s:
            prepared = s.scalar(text("SELECT count(*) FROM pg_prepared_statements "
                                     "WHERE statement LIKE '%prepared_probe%'"))
    finally:
        dbmod.configure(None)
        engine.dispose()
    assert prepared == 1


def test_a_pages_numbers_are_written_into_its_sql_and_postgresql_plans_it_once(backend):
    """paging.sliced: with LIMIT and OFFSET as parameters, PostgreSQL's generic plan of the
    prepared statement assumed a tenth of the table, so it planned each page on every run."""
    from sqlalchemy import event

    from services.paging import page_of

    engine = make_engine(backend.url.render_as_string(hide_password=False))
    sent = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: sent.append(stmt))
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        query = select(literal_column("1").label("paged_probe"))     # one row: page 1
        for _ in range(8):
            with reading() as s:
                assert page_of(s, query, 3, 5, tuple).rows == [(1,)]
        paged = [stmt for stmt in sent if "paged_probe" in stmt and "LIMIT" in stmt]
        assert paged and all("LIMIT 5 OFFSET 0" in " ".join(stmt.split()) for stmt in paged)
        if backend.dialect.name == "postgresql":
            with reading() as s:
                plans = s.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                                       "WHERE statement LIKE '%paged_probe%LIMIT%'")).all()
            assert len(plans) == 1 and plans[0][0] >= 1, plans     # planned once, then reused
    finally:
        dbmod.configure(None)
        engine.dispose()
