"""What every connection of the app's engine (models/db.make_engine) is set up with."""
from __future__ import annotations

from sqlalchemy import text


def test_each_connection_is_set_up_for_many_small_statements(backend):
    with backend.connect() as c:
        if backend.dialect.name == "sqlite":
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert c.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        else:
            # A parallel worker costs more to start than the app's statements take.
            assert c.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
            # Prepared statements are planned for their values each time (models/db.py).
            assert c.execute(text("SHOW plan_cache_mode")).scalar() == "force_custom_plan"
