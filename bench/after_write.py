"""What a page costs after someone writes: read models are kept per table they read
(services/view_cache), so a write the page does not read leaves it a rerun.

    .venv/bin/python -m bench.after_write sqlite:////tmp/street/y10.sqlite --page compliance

Times one AppTest run of the page, signed in, in six situations, `--runs` times each: a
first view (every read model dropped), a rerun, after a call is logged (a table the
compliance dashboard does not read; logged through the use case, with its audit row),
after a check-in (one it reads), a minute later, nothing written (what is overdue
depends on the time: the dashboard is recomputed each minute), and after one unit's shift
lost or regained its leader (a roster fact: that unit's roster findings are recomputed). It writes, so it
works on a copy of the street it is given (a file copy; a PostgreSQL TEMPLATE copy),
dropped at the end. Results are printed, for bench/results.md's readings.
"""
from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.orm import sessionmaker

from bench.pages import USER_OF_ROLE, role_for, sign_in
from models import db as dbmod
from models.db import make_engine
from models.org import Person
from models.roster import CheckIn, Shift
from navigation import PAGES
from services import auth, clock, view_cache
from services.daily import calls
from services.permissions import Actor
from services.uow import transaction

SITUATIONS = ("first view", "rerun", "after a call", "after a check-in", "a minute later",
              "after a shift's leader changed")


def copy_of(url: str):
    """(url of a copy, drop) of the street at `url`."""
    if url.startswith("sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="after-write-"))
        path = folder / "street.sqlite"
        shutil.copyfile(url.split(":///", 1)[1], path)
        return f"sqlite:///{path}", lambda: shutil.rmtree(folder)
    base, source = url.rsplit("/", 1)
    name = f"{source}_after_write_{uuid.uuid4().hex[:6]}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


def log_a_call(office: Actor, n: int) -> None:
    """来电登记 as at the street office's desk: the use case, audit row included."""
    calls.log_call(office, calls.CallInput(summary=f"bench.after_write 来电 {n}", caller="张某"))


def check_in(s, n: int) -> None:
    """A check-in row for the newest shift (the table is what matters here)."""
    shift = s.execute(select(Shift).order_by(Shift.starts_at.desc()).limit(1)).scalar_one()
    person = s.execute(select(Person.id).order_by(Person.id).offset(n).limit(1)).scalar_one()
    s.add(CheckIn(shift_id=shift.id, person_id=person, at=datetime.now(timezone.utc), late=False))


def change_a_leader(s, n: int) -> None:
    """One unit's shift of today loses or regains its leader: a roster fact (第十条), so that
    unit's months of roster findings are computed again, and no other's."""
    today = datetime.now(timezone.utc)
    shift = s.execute(select(Shift).where(Shift.starts_at <= today).order_by(Shift.starts_at.desc())
                      .offset(n).limit(1)).scalar_one()
    leader = s.execute(select(Person.id).where(Person.unit_id == shift.unit_id, Person.can_lead_shift)
                       .limit(1)).scalar()
    shift.leader_person_id = None if shift.leader_person_id else leader


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--page", default="compliance", help="a page whose path contains this")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args(argv)
    spec = next(p for p in PAGES if args.page in p.path)
    url, drop = copy_of(args.url)
    engine = make_engine(url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    statements = [0]
    event.listen(engine, "before_cursor_execute",
                 lambda *_a: statements.__setitem__(0, statements[0] + 1))
    try:
        at = sign_in(USER_OF_ROLE[role_for(spec)])
        office = auth.actor_for_token(auth.open_session(USER_OF_ROLE["office_admin"]))
        at.switch_page(spec.path)
        at.run()
        found: dict[str, list[tuple[float, int]]] = {k: [] for k in SITUATIONS}

        def run(situation: str) -> None:
            gc.collect()     # outside the time, as in bench.pages: AppTest's garbage, not the page's
            statements[0] = 0
            started = time.perf_counter()
            at.run()
            found[situation].append(((time.perf_counter() - started) * 1000, statements[0]))

        for n in range(args.runs):
            view_cache.clear()
            run("first view")
            run("rerun")
            log_a_call(office, n)
            run("after a call")
            with transaction() as s:
                check_in(s, n)
            run("after a check-in")
            later = datetime.now(timezone.utc) + timedelta(minutes=n + 1)
            clock.set_source(lambda later=later: later)
            run("a minute later")
            clock.set_source(None)
            with transaction() as s:
                change_a_leader(s, n)
            run("after a shift's leader changed")
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        print(f"{spec.title} on {args.url.split('@')[-1]}, {args.runs} runs each")
        print("| situation | p50 ms | max ms | statements |\n|---|---:|---:|---|")
        for situation, rows in found.items():
            ms = sorted(t for t, _n in rows)
            print(f"| {situation} | {statistics.median(ms):.1f} | {ms[-1]:.1f} | "
                  f"{'/'.join(str(n) for n in sorted({n for _t, n in rows}))} |")
    finally:
        clock.set_source(None)
        dbmod.configure(None)
        engine.dispose()
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
