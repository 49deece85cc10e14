"""Incident benchmarks (issue 3), on SQLite and PostgreSQL:

(a) the intake-to-signed-report service path, as the pages call it: receive → phone report
    → draft (template + draft) → submit → sign off (签发) → send; p50/p95 per step and in
    total over N runs;
(b) the desk (pages/desk.py, where duty roles land) with 1,000 open clocks, run through
    AppTest of app.py signed in, as the server runs it (session check, navigation, page):
    script time p50/p95 over repeated runs, SQL statements per run (counted with a
    before_cursor_execute listener) and state machines built per run — the same with a
    handful of clocks and with 1,000, i.e. nothing grows with the rows.

    .venv/bin/python -m bench.incidents                    # both backends, defaults
    .venv/bin/python -m bench.incidents --runs 20 --deadlines 300 --no-pg

Prints a markdown table and appends it, with the machine, to bench/results.md.
PostgreSQL: a throwaway database made through DUTYDESK_TEST_PG_URL (default: the local
postgres superuser), dropped afterwards; skipped with a note when unreachable.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")   # no bare-mode warnings from AppTest

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from models import db as dbmod  # noqa: E402
from models.auth import User  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.incident import Incident, Report  # noqa: E402
from models.org import Unit  # noqa: E402
from services import clock  # noqa: E402
from services import incidents as inc  # noqa: E402
from services.permissions import Actor  # noqa: E402
from services.uow import reading, transaction  # noqa: E402

RESULTS = ROOT / "bench" / "results.md"
PG_ADMIN_URL = os.environ.get("DUTYDESK_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DISTRICT = ["district_duty_office", "district_emergency_bureau"]
LEADERS = ["office_head", "shift_leader", "principal_leader"]
ELEMENTS = {
    "cause_nature": "液化气泄漏引发爆炸，安全生产事故", "scope": "周边 50 米",
    "trend": "火势已控制", "handling": "消防到场处置", "measures": "疏散周边群众",
    "suggestions": "请区应急管理局派员指导",
}
STEPS = ["receive", "phone_report", "draft", "submit", "sign_off", "send"]
CLOCKS_PER_INCIDENT = 7   # a level II accident: 3 leaders at once, district + bureau by phone and in writing


# ---------------------------------------------------------------- numbers

def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): the ⌈q/100 · n⌉-th smallest. (round(x + 0.5)
    rounded 19.5 to 20 — banker's rounding — so p95 of 20 runs was their maximum.)"""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


# ---------------------------------------------------------------- databases

def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    engine.dispose()


def pg_available() -> bool:
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001 — any failure means "not here"
        return False


@contextmanager
def database(kind: str):
    """A fresh migrated database the services use; yields (engine, server version)."""
    drop = None
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="dutydesk-bench-")
        url = f"sqlite:///{tmp}/bench.sqlite"
    else:
        name = f"dutydesk_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name

        def drop():
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    try:
        migrate(url)
        engine = make_engine(url)
        with engine.connect() as c:
            version = (c.exec_driver_sql("select sqlite_version()").scalar() if kind == "sqlite"
                       else c.exec_driver_sql("show server_version").scalar())
        dbmod.configure(sessionmaker(engine, expire_on_commit=False))
        try:
            yield engine, version
        finally:
            dbmod.configure(None)
            engine.dispose()
    finally:
        if drop:
            drop()


PASSWORD = "Bench#Desk2026"


def seed_people() -> dict[str, Actor]:
    """A street office: the officer of the service path, the desk's viewer (a duty officer who
    signs in), a colleague who owns the busy street's incidents, and a shift leader."""
    from services import auth
    from services.permissions import SYSTEM_ACTOR

    with transaction() as s:
        street = Unit(name="柏泉街道办事处", kind="street_office", active=True)
        s.add(street)
        s.flush()
        unit_id = street.id
    people = {}
    for key, username, name, role in (("officer", "wangwu", "王五", "duty_officer"),
                                      ("viewer", "sunqi", "孙七", "duty_officer"),
                                      ("colleague", "zhaoliu", "赵六", "duty_officer"),
                                      ("leader", "lizhuren", "李主任", "shift_leader")):
        uid = auth.create_user(SYSTEM_ACTOR, username, name, PASSWORD, unit_id=unit_id, roles={role})
        with transaction() as s:
            s.get(User, uid).must_change_password = False
        people[key] = Actor(user_id=uid, username=username, display_name=name,
                            roles=frozenset({role}), unit_id=unit_id)
    return people


def incident_version(incident_id: int) -> int:
    with reading() as s:
        return s.get(Incident, incident_id).version


def report_version(report_id: int) -> int:
    with reading() as s:
        return s.get(Report, report_id).version


def intake(n: int, minutes_ago: int = 2) -> inc.IntakeInput:
    return inc.IntakeInput(
        title=f"某社区液化气爆炸事故 {n}", occurred_at=clock.now() - timedelta(minutes=minutes_ago),
        place="柏泉街某社区 3 号楼", category="accident", source_kind="phone",
        source_text="网格员张某", level="II", description="一栋民房局部坍塌，2 人受伤",
        classification="internal", caller="张某", caller_number="13800000000")


# ---------------------------------------------------------------- (a) intake to signed report

def service_path(people: dict[str, Actor], runs: int) -> dict[str, list[float]]:
    """Time each step of the path; the version look-ups a page already holds are not timed."""
    officer, leader = people["officer"], people["leader"]
    times: dict[str, list[float]] = {step: [] for step in [*STEPS, "total"]}
    for n in range(runs):
        took = {}
        t = time.perf_counter()
        iid = inc.receive(officer, intake(n))
        took["receive"] = time.perf_counter() - t
        v = incident_version(iid)
        t = time.perf_counter()
        inc.record_phone_report(officer, iid, v, inc.PhoneReportInput(
            recipients=DISTRICT + LEADERS, summary="电话报告区总值班室、区应急管理局和街道领导"))
        took["phone_report"] = time.perf_counter() - t
        v = incident_version(iid)
        t = time.perf_counter()
        body = inc.report_template(officer, iid, "initial")
        body.elements.update(ELEMENTS)
        rid = inc.draft_report(officer, iid, v, "initial", body)
        took["draft"] = time.perf_counter() - t
        rv = report_version(rid)
        t = time.perf_counter()
        inc.submit_report(officer, rid, rv)
        took["submit"] = time.perf_counter() - t
        rv = report_version(rid)
        t = time.perf_counter()
        inc.sign_off_report(leader, rid, rv)
        took["sign_off"] = time.perf_counter() - t
        rv = report_version(rid)
        t = time.perf_counter()
        result = inc.mark_sent(officer, rid, rv, "written")
        took["send"] = time.perf_counter() - t
        assert not result.late and result.satisfied, result
        for step, seconds in took.items():
            times[step].append(seconds)
        times["total"].append(sum(took.values()))
    return times


# ---------------------------------------------------------------- (b) the desk page

@dataclass
class DeskMeasure:
    clocks: int
    table_open: bool
    times: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    machines: list[int] = field(default_factory=list)
    service: list[float] = field(default_factory=list)


def as_the_server_runs() -> None:
    """Make AppTest run app.py as the server does: st.navigation pages (as tests/conftest.py's
    apptest_v2), and one script cache for every run. AppTest builds a new ScriptCache per
    run, so each run re-read, magic-rewrote and compiled app.py and the page (up to ~10 ms a
    run, more for long pages); the server's Runtime compiles a script once."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    if getattr(PagesManager, "_bench_v2", False):
        return
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    PagesManager._bench_v2 = True
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def signed_in_app(username: str):
    """AppTest of app.py as the server runs it, signed in; the desk is where duty roles land."""
    from streamlit.testing.v1 import AppTest

    as_the_server_runs()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "值班台", [t.value for t in at.title]
    return at


def measure_desk(engine, actor: Actor, runs: int, table_open: bool = False) -> DeskMeasure:
    """Run the desk `runs` times (after one warm-up) and count what each run costs;
    `table_open`: with the folded list of every clock opened (a coloured table)."""
    from transitions import Machine

    clocks = len(inc.open_deadlines(actor))
    m = DeskMeasure(clocks, table_open)
    statements = [0]
    machines = [0]

    def on_execute(*_args, **_kw):
        statements[0] += 1

    original_init = Machine.__init__

    def counting_init(self, *args, **kwargs):
        machines[0] += 1
        original_init(self, *args, **kwargs)

    at = signed_in_app(actor.username)
    if table_open:
        at.session_state["desk_table"] = True   # as the click that unfolds the list
    at.run()   # warm-up
    assert bool(at.dataframe) == table_open
    event.listen(engine, "before_cursor_execute", on_execute)
    Machine.__init__ = counting_init
    try:
        for _ in range(runs):
            statements[0] = machines[0] = 0
            t = time.perf_counter()
            at.run()
            m.times.append(time.perf_counter() - t)
            assert not at.exception, [e.value for e in at.exception]
            assert at.title[0].value == "值班台"
            m.statements.append(statements[0])
            m.machines.append(machines[0])
    finally:
        Machine.__init__ = original_init
        event.remove(engine, "before_cursor_execute", on_execute)
    for _ in range(runs):
        t = time.perf_counter()
        inc.open_deadlines(actor)
        m.service.append(time.perf_counter() - t)
    return m


def desk(engine, people: dict[str, Actor], deadlines: int, runs: int) -> list[DeskMeasure]:
    """The viewer's desk with their own two incidents, then with `deadlines` open clocks."""
    viewer, colleague = people["viewer"], people["colleague"]
    for n in range(2):
        inc.receive(viewer, intake(10_000 + n, minutes_ago=3))
    small = measure_desk(engine, viewer, runs)
    more = -(-max(0, deadlines - small.clocks) // CLOCKS_PER_INCIDENT)
    for n in range(more):   # a busy street: many incidents, mostly the colleague's
        inc.receive(colleague, intake(20_000 + n, minutes_ago=1 + n % 50))
    large = measure_desk(engine, viewer, runs)
    opened = measure_desk(engine, viewer, runs, table_open=True)
    return [small, large, opened]


# ---------------------------------------------------------------- report

def machine() -> str:
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"
    memory = run(["free", "-h"]).splitlines()
    mem = memory[1].split()[1] if len(memory) > 1 else "?"
    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{run(['nproc'])} CPU ({cpu}), {mem} RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; load average {load} (1/5/15 min) at the end")


def tables(results: dict[str, dict]) -> str:
    lines = ["### (a) Intake to signed report, per run (ms)", "",
             "| backend | runs | " + " | ".join(f"{s} p50" for s in STEPS) + " | total p50 | total p95 |",
             "|---|---:|" + "---:|" * (len(STEPS) + 2)]
    for kind, r in results.items():
        t = r["path"]
        lines.append(f"| {kind} {r['version']} | {len(t['total'])} | "
                     + " | ".join(ms(statistics.median(t[s])) for s in STEPS)
                     + f" | {ms(pct(t['total'], 50))} | {ms(pct(t['total'], 95))} |")
    lines += ["", "### (b) The desk (app.py → pages/desk.py through AppTest, signed in), per run", "",
              "| backend | open clocks | full list | script p50 (ms) | script p95 (ms) | "
              "SQL statements | machines built | open_deadlines() p50 (ms) |",
              "|---|---:|---|---:|---:|---:|---:|---:|"]
    for kind, r in results.items():
        for m in r["desk"]:
            statements = sorted(set(m.statements))
            lines.append(
                f"| {kind} | {m.clocks} | {'unfolded' if m.table_open else 'folded'} | "
                f"{ms(pct(m.times, 50))} | {ms(pct(m.times, 95))} | "
                f"{'/'.join(map(str, statements))} | {max(m.machines)} | "
                f"{ms(statistics.median(m.service))} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="service-path runs per backend")
    parser.add_argument("--deadlines", type=int, default=1000, help="open clocks on the desk")
    parser.add_argument("--desk-runs", type=int, default=20, help="desk page runs per size")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-write", action="store_true", help="do not append to bench/results.md")
    args = parser.parse_args(argv)
    os.chdir(ROOT)   # page paths are relative to the repository, as under `streamlit run`

    kinds = ["sqlite"]
    notes = []
    if not args.no_pg:
        if pg_available():
            kinds.append("postgresql")
        else:
            notes.append(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipped.")
    results: dict[str, dict] = {}
    for kind in kinds:
        print(f"[{kind}] service path × {args.runs} …", flush=True)
        with database(kind) as (engine, version):
            people = seed_people()
            path = service_path(people, args.runs)
            print(f"[{kind}] desk page with {args.deadlines} open clocks × {args.desk_runs} …",
                  flush=True)
            measures = desk(engine, people, args.deadlines, args.desk_runs)
            results[kind] = {"version": version, "path": path, "desk": measures}
            statements = {s for m in measures for s in m.statements}
            if len(statements) > 1 or any(max(m.machines) for m in measures):
                notes.append(f"{kind}: the desk's statements or machines grew with the rows!")

    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    report = "\n".join([
        f"## bench.incidents — {stamp}", "",
        f"Machine: {machine()}.",
        f"`python -m bench.incidents --runs {args.runs} --deadlines {args.deadlines} "
        f"--desk-runs {args.desk_runs}`" + (" --no-pg" if args.no_pg else "") + ".", "",
        tables(results), "",
        "Script time is one AppTest run of app.py with the desk (session check, navigation, the "
        "page, and turning its elements into the messages a browser gets), after a warm-up run; "
        "the ten most urgent clocks are cards, the full coloured list is built only while "
        "unfolded. "
        "Statements: SQL statements per run, the same with a handful of clocks and with all of "
        "them; machines: `transitions` state machines built per run.",
        *[f"\n**Note:** {n}" for n in notes], "",
    ])
    print("\n" + report)
    if not args.no_write:
        with open(RESULTS, "a", encoding="utf-8") as out:
            if out.tell() == 0:
                out.write("# Benchmark results\n\nAppended by `make bench` (`python -m bench.run`).\n\n")
            out.write(report + "\n")
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
