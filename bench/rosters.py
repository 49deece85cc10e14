"""Roster benchmark through the services (issue 4): auto-schedule 100 units' month, then
validate a year of rosters for 100 units (the month view of each unit and month).

    .venv/bin/python bench/rosters.py                 # a throwaway SQLite file
    .venv/bin/python bench/rosters.py --pg URL        # a PostgreSQL database (must be empty)
    .venv/bin/python bench/rosters.py --units 20 --months 3

Each auto-scheduling is one service call (one transaction) as a page would make it.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")

from sqlalchemy.orm import sessionmaker  # noqa: E402

from models import db as dbmod  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.org import Person, Unit  # noqa: E402
from services import calendar, rosters  # noqa: E402
from services.permissions import SYSTEM_ACTOR  # noqa: E402
from services.uow import transaction  # noqa: E402

TRAINED = {"pre_job_trained_on": date(2025, 3, 1), "yearly_trained_on": date(2026, 3, 1)}


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    engine.dispose()


def seed(units: int) -> list[int]:
    ids = []
    with transaction() as s:
        for u in range(units):
            unit = Unit(name=f"单位{u:03d}", kind="grassroots", duty_phone="027-83880000", active=True)
            s.add(unit)
            s.flush()
            ids.append(unit.id)
            s.add_all([Person(name=f"员{u:03d}-{i:02d}", unit_id=unit.id, employment="permanent",
                              can_lead_shift=i > 12, active=True, **TRAINED) for i in range(1, 16)])
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    start, end = calendar.whole_days(date(2026, 6, 1), date(2026, 9, 30))
    calendar.create_special_period(SYSTEM_ACTOR, calendar.PeriodData("flood_season", "防汛期", start, end))
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database")
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--template-set", default="day_night")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/results.md")
    args = parser.parse_args(argv)
    tmp = tempfile.mkdtemp()
    url = args.pg or f"sqlite:///{tmp}/bench.sqlite"
    migrate(url)
    engine = make_engine(url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    units = seed(args.units)

    started = time.perf_counter()
    bad = 0
    for uid in units:
        report = rosters.auto_schedule_month(SYSTEM_ACTOR, uid, 2026, 10, args.template_set, seed=uid)
        bad += not report.ok
    one_month = time.perf_counter() - started
    print(f"auto-schedule {len(units)} units × 1 month ({args.template_set}, flood season + 国庆节): "
          f"{one_month:.2f}s ({one_month / len(units) * 1000:.0f} ms/unit), units with violations: {bad}")

    for month in range(1, args.months + 1):
        if month != 10:
            for uid in units:
                rosters.auto_schedule_month(SYSTEM_ACTOR, uid, 2026, month, args.template_set, seed=uid)
    started = time.perf_counter()
    violations = 0
    for month in range(1, args.months + 1):
        for uid in units:
            violations += len(rosters.month_view(SYSTEM_ACTOR, uid, 2026, month).violations)
    year = time.perf_counter() - started
    views = len(units) * args.months
    print(f"validate {args.months} months × {len(units)} units ({views} month views): {year:.2f}s "
          f"({year / views * 1000:.0f} ms/view), violations: {violations}")
    dbmod.configure(None)
    engine.dispose()
    if not args.no_write:
        from bench.incidents import RESULTS, machine
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## bench.rosters — {stamp}\n\nMachine: {machine()}\n\n"
                     f"| backend | units | auto-schedule 1 month | per unit | units with violations "
                     f"| month views validated | per view | violations |\n|---|---:|---:|---:|---:|---:|---:|---:|\n"
                     f"| {'postgresql' if args.pg else 'sqlite'} | {len(units)} | {one_month:.2f} s "
                     f"| {one_month / len(units) * 1000:.0f} ms | {bad} | {views} "
                     f"| {year / views * 1000:.0f} ms | {violations} |\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
