"""How a read session ends (services/uow.reading)."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select, text
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
    statement, and each page's statements were parsed again on every run."""
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
