"""Log-book benchmark (issue 5): compile, seal and print the log book of one shift with
300 entries (calls, incident timeline events, instruction lines, free-text entries), on
SQLite (and PostgreSQL when reachable through DUTYDESK_TEST_PG_URL).

    .venv/bin/python -m bench.logbook                 # 300 entries, 10 runs
    .venv/bin/python -m bench.logbook --entries 600 --runs 5 --no-pg
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")

from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.incidents import pct  # noqa: E402
from models import db as dbmod  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.roster import Roster, Shift, ShiftOfficer  # noqa: E402
from services import clock  # noqa: E402
from services.daily import calls, logbook  # noqa: E402
from services.uow import transaction  # noqa: E402


def _setup(entries: int) -> tuple[int, object]:
    from duty_support import make_actor, make_person, make_unit

    start = datetime(2026, 7, 1, 0, 30, tzinfo=timezone.utc)
    clock.set_source(lambda: start + timedelta(minutes=1))
    unit = make_unit("柏泉街道机关")
    pid = make_person(unit, "王五")
    officer = make_actor("wangwu", {"duty_officer"}, unit, pid)
    with transaction() as s:
        r = Roster(unit_id=unit, year=2026, month=7, template_set="24h", status="published",
                   created_at=start)
        sh = Shift(unit_id=unit, starts_at=start, ends_at=start + timedelta(hours=24),
                   template_code="24h", state="on_duty", on_duty_at=start)
        sh.officers.append(ShiftOfficer(person_id=pid))
        r.shifts.append(sh)
        s.add(r)
        s.flush()
        shift_id = sh.id
    step = timedelta(hours=23) / entries
    for n in range(entries):
        now = start + step * (n + 1)
        clock.set_source(lambda now=now: now)
        if n % 3 == 2:
            logbook.add_entry(officer, shift_id, f"第{n}条记事：巡查值班室设备正常")
        else:
            calls.log_call(officer, calls.CallInput(summary=f"第{n}个来电：咨询防汛物资领取",
                                                    caller="张某", number="13800000000"))
    clock.set_source(lambda: start + timedelta(hours=23, minutes=30))
    return shift_id, officer


def run(url: str, entries: int, runs: int) -> dict:
    engine = make_engine(url)
    from conftest import alembic_upgrade
    alembic_upgrade(engine)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        shift_id, officer = _setup(entries)
        compile_ms, docx_ms = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            view = logbook.log_book(officer, shift_id)
            compile_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            logbook.log_book_docx(officer, shift_id)
            docx_ms.append((time.perf_counter() - t0) * 1000)
        assert len(view.entries) == entries, len(view.entries)
        t0 = time.perf_counter()
        with transaction() as s:
            logbook.seal_for_shift(s, shift_id, officer)
        seal_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        sealed = logbook.log_book(officer, shift_id)
        sealed_ms = (time.perf_counter() - t0) * 1000
        assert len(sealed.entries) == entries
        from services.uow import reading
        t0 = time.perf_counter()
        with reading() as s:
            assert logbook.verify_log_books(s).intact
        verify_ms = (time.perf_counter() - t0) * 1000
        return {"compile p50": statistics.median(compile_ms), "compile p95": pct(compile_ms, 95),
                "docx p50": statistics.median(docx_ms), "seal": seal_ms, "sealed read": sealed_ms,
                "verify": verify_ms}
    finally:
        dbmod.configure(None)
        clock.set_source(None)
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--entries", type=int, default=300)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--no-pg", action="store_true")
    args = p.parse_args(argv)
    backends = [("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite")]
    if not args.no_pg:
        from conftest import _pg_available, create_pg_database
        if _pg_available():
            url, drop = create_pg_database()
            backends.append(("postgresql", url))
        else:
            drop = None
            print("PostgreSQL not reachable: skipped")
    print("| backend | entries | " + " | ".join(["compile p50", "compile p95", "docx p50", "seal",
                                                  "sealed read", "verify"]) + " (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, url in backends:
        r = run(url, args.entries, args.runs)
        print(f"| {name} | {args.entries} | " + " | ".join(f"{v:.0f}" for v in r.values()) + " |",
              flush=True)
    if len(backends) > 1:
        drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
