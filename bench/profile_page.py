"""Where one page's script time goes: cProfile over a few AppTest runs of app.py signed in,
on a generated street (bench/generate.py). For finding causes; bench.pages measures.

    .venv/bin/python -m bench.profile_page sqlite:////tmp/street/y10.sqlite compliance --runs 5
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import threading
import time
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from bench.pages import USER_OF_ROLE, role_for, seen_at, sign_in
from models import db as dbmod
from models.db import make_engine
from navigation import PAGES
from services import view_cache


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("page", help="a page whose path contains this")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--cold", action="store_true",
                    help="a first view: services/view_cache cleared before each run")
    ap.add_argument("--sql", action="store_true",
                    help="time each SQL statement (execute and fetch) instead of profiling Python")
    ap.add_argument("--at", type=datetime.fromisoformat, default=None,
                    help="the moment the street is seen at (as bench.pages --at)")
    args = ap.parse_args(argv)
    seen_at(args.at)
    spec = next(p for p in PAGES if args.page in p.path)
    engine = make_engine(args.url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        at = sign_in(USER_OF_ROLE[role_for(spec)])
        at.switch_page(spec.path)
        at.run()
        run = (lambda: (view_cache.clear(), at.run())) if args.cold else at.run
        if args.sql:
            return time_statements(engine, at, run, args.runs, args.top)
        profile = cProfile.Profile()

        def start_in_script_thread(*_args):   # AppTest runs the script in a thread of its own
            threading.setprofile(None)
            sys.setprofile(None)
            profile.enable()

        for _ in range(args.runs):
            if args.cold:
                view_cache.clear()
            threading.setprofile(start_in_script_thread)
            at.run()
            threading.setprofile(None)
        if at.exception:
            print(at.exception[0].value, file=sys.stderr)
            return 1
        print("page:", [t.value for t in at.title])
        profile.create_stats()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    finally:
        dbmod.configure(None)
        engine.dispose()
    return 0


def time_statements(engine, at, run, runs: int, top: int) -> int:
    """Each statement of one page run, run again alone on a raw connection with the
    parameters it had, to its last row (SQLite does the work while rows are fetched)."""
    seen: list[tuple[str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, params, _context, _many):
        seen.append((statement, params))

    run()
    event.remove(engine, "before_cursor_execute", record)
    started = time.perf_counter()
    for _ in range(runs):
        run()
    total = (time.perf_counter() - started) / runs * 1000
    timed = []
    raw = engine.raw_connection()
    try:
        for statement, params in seen:
            if statement.split(None, 1)[0].upper() != "SELECT":
                continue
            best = float("inf")
            for _ in range(runs):
                cursor = raw.cursor()
                t0 = time.perf_counter()
                cursor.execute(statement, params)
                if cursor.description is not None:
                    cursor.fetchall()
                best = min(best, time.perf_counter() - t0)
                cursor.close()
            raw.rollback()
            timed.append((best * 1000, statement))
    finally:
        raw.close()
    print(f"page: {[t.value for t in at.title]}  run {total:.1f} ms; {len(seen)} statements, "
          f"{sum(ms for ms, _s in timed):.1f} ms run alone (best of {runs})")
    for ms_, statement in sorted(timed, key=lambda t: -t[0])[:top]:
        print(f"{ms_:8.2f} ms  {' '.join(statement.split())[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
