"""The benchmark street (bench/generate.py) is the app's own data: what its pages open works."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bench.generate import generate
from duty_support import make_actor
from models import db as dbmod
from models.daily import LogBook
from models.db import make_engine
from services.daily import logbook


def test_a_generated_sealed_book_opens_with_its_head(tmp_path, frozen_clock):
    url = f"sqlite:///{tmp_path}/street.sqlite"
    generate(url, years=0.05, scale=0.02, migrate_first=True, quiet=True)
    engine = make_engine(url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        office = make_actor("office_reader", {"office_admin"})
        with engine.connect() as c:
            shift_id = c.execute(select(LogBook.shift_id).where(LogBook.sealed_at.is_not(None))
                                 .order_by(LogBook.id.desc()).limit(1)).scalar_one()
        book = logbook.log_book(office, shift_id)
        assert book.sealed and book.unit_name.startswith("柏泉")
        assert "至" in book.duty_time and book.duty_officers and all(book.duty_officers)
    finally:
        dbmod.configure(None)
        engine.dispose()
