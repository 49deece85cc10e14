"""Every page at scale (issue 7, "Data at scale"), on SQLite and PostgreSQL.

For an empty database (migrated, one unit and the benchmark accounts) and for a generated
street (bench/generate.py), each page of navigation.PAGES is run through AppTest of app.py
signed in as a role that sees it (the office administrator where it may; the shift leader for
审批, the system administrator for 账号与角色, the audit administrator for 审计日志): one
warm-up run, then `--runs` timed runs — script time p50/p95 and SQL statements per run
(a before_cursor_execute listener). The table puts empty and generated side by side with
the ratio, and flags a page over 300 ms p95, over 1.5 × its empty p95, or whose statement
count differs with the history.

    .venv/bin/python -m bench.pages                       # generates a 1-year street per backend
    .venv/bin/python -m bench.pages --sqlite-url sqlite:////tmp/street/y1.sqlite \
        --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/dutydesk_street_1y --label "1 year"
    .venv/bin/python -m bench.pages --no-pg --years 1 --scale 0.05 --runs 3   # a quick check

A generated database given by URL is used as it is (the sign-ins add a few sessions and
audit rows); one the benchmark generates itself is dropped afterwards.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.generate import BENCH_USERS, PASSWORD, generate  # noqa: E402
from bench.incidents import PG_ADMIN_URL, RESULTS, machine, migrate, ms, pct, pg_available  # noqa: E402
from models import db as dbmod  # noqa: E402
from models.db import make_engine  # noqa: E402
from navigation import PAGES, _allowed  # noqa: E402
from services import clock, view_cache  # noqa: E402
from services.permissions import Actor  # noqa: E402

TARGET_P95 = 0.300
TARGET_RATIO = 1.5
ROLE_ORDER = ["office_admin", "shift_leader", "duty_officer", "system_admin", "audit_admin"]
USER_OF_ROLE = {role: username for username, (_n, role) in BENCH_USERS.items()}


def role_for(spec) -> str:
    for role in ROLE_ORDER:
        if _allowed(Actor(user_id=0, username="x", display_name="x", roles=frozenset({role}),
                          unit_id=1), spec):
            return role
    raise LookupError(spec.path)


def _pct(times: list[float], q: int) -> float:
    return pct(times, q) if times else float("nan")


@dataclass
class PageMeasure:
    path: str
    title: str
    role: str
    times: list[float] = field(default_factory=list)         # reruns
    statements: list[int] = field(default_factory=list)
    cold_times: list[float] = field(default_factory=list)    # first views: nothing cached
    cold_statements: list[int] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)           # seconds in SQL, per run
    cold_sql: list[float] = field(default_factory=list)
    error: str | None = None

    p50 = property(lambda self: _pct(self.times, 50))
    p95 = property(lambda self: _pct(self.times, 95))
    cold_p50 = property(lambda self: _pct(self.cold_times, 50))
    cold_p95 = property(lambda self: _pct(self.cold_times, 95))
    cold_sql_p50 = property(lambda self: _pct(self.cold_sql, 50))

    @property
    def stmts(self) -> str:
        return "/".join(map(str, sorted(set(self.cold_statements)))) or "–"


# ---------------------------------------------------------------- databases

@contextmanager
def fresh(kind: str):
    """A new migrated database: yields (url, drop)."""
    if kind == "sqlite":
        tmp = tempfile.mkdtemp(prefix="dutydesk-pages-")
        yield f"sqlite:///{tmp}/bench.sqlite"
        return
    name = f"dutydesk_pages_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seen_at(moment: datetime | None) -> None:
    """The services' clock runs on from `moment` (`--at`); None: the real clock."""
    if moment is not None:
        started = datetime.now(timezone.utc)
        clock.set_source(lambda: moment + (datetime.now(timezone.utc) - started))


def seed_empty(url: str) -> None:
    """The empty street: one unit, the benchmark accounts, nothing else."""
    migrate(url)
    generate_accounts_only(url)


def generate_accounts_only(url: str) -> None:
    from models.auth import User
    from models.org import Person, Unit
    from services import auth
    from services.permissions import SYSTEM_ACTOR
    from services.uow import transaction

    engine = make_engine(url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        with transaction() as s:
            unit = Unit(name="柏泉街道办事处", kind="street_office", active=True)
            s.add(unit)
            s.flush()
            unit_id = unit.id
        for username, (display, role) in BENCH_USERS.items():
            uid = auth.create_user(SYSTEM_ACTOR, username, display, PASSWORD,
                                   unit_id=None if role.endswith("_admin") and role != "office_admin"
                                   else unit_id, roles={role})
            with transaction() as s:   # as generated: duty accounts are people of the unit
                user = s.get(User, uid)
                user.must_change_password = False
                if user.unit_id is not None:
                    person = Person(name=display[:50], unit_id=unit_id, employment="permanent",
                                    can_lead_shift=role == "shift_leader", active=True)
                    s.add(person)
                    s.flush()
                    user.person_id = person.id
    finally:
        dbmod.configure(None)
        engine.dispose()


# ---------------------------------------------------------------- measuring

def sign_in(username: str):
    from streamlit.testing.v1 import AppTest

    from bench.incidents import signed_in_app
    try:
        return signed_in_app(username)    # patches PagesManager as the server runs; desk roles
    except AssertionError:
        pass
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


class _Database:
    """One street being measured: its engine, signed-in apps and statement counters."""

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        self.apps: dict[str, object] = {}
        self.statements = 0
        self.sql_seconds = 0.0
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn, *_a, **_k):
        self.statements += 1
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, *_a, **_k):
        self.sql_seconds += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())

    def use(self) -> None:
        dbmod.configure(self.factory)

    def app(self, role: str):
        if role not in self.apps:
            self.use()
            self.apps[role] = sign_in(USER_OF_ROLE[role])
        return self.apps[role]

    def run(self, at, cold: bool) -> tuple[float, int, float]:
        """One AppTest run: (seconds, statements, seconds in SQL execute)."""
        self.use()
        if cold:
            view_cache.clear()
        # AppTest builds a MagicMock runtime per run (~4,500 proxy objects in reference
        # cycles); left to the cycle collector they were freed inside a later run's timing,
        # 6-9 ms at a time, wherever it fell. The server has no such garbage.
        gc.collect()
        self.statements, self.sql_seconds = 0, 0.0
        t = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        return elapsed, self.statements, self.sql_seconds

    def close(self) -> None:
        self.engine.dispose()


def fixed_work() -> float:
    """Seconds of a fixed piece of pure Python (~10 ms): timed in turn with the pages, how
    much the machine alone varies. What it does never changes, so its spread is the
    machine's, not a page's."""
    t = time.perf_counter()
    kept = {str(i): [i] * 3 for i in range(20_000)}
    sum(i * i for i in range(100_000))
    elapsed = time.perf_counter() - t
    del kept
    return elapsed


def measure_pages(urls: list[str], runs: int, only: list[str] | None = None,
                  noise: list[float] | None = None) -> list[list[PageMeasure]]:
    """Each page on each database, the databases taking turns run by run: a change in the
    machine's load while measuring weighs on all of them alike, so their ratio is fair.
    `noise` collects `fixed_work` timed once per round."""
    dbs = [_Database(url) for url in urls]
    out: list[list[PageMeasure]] = [[] for _ in dbs]
    try:
        for spec in PAGES:
            if only and not any(o in spec.path for o in only):
                continue
            role = role_for(spec)
            ms_ = [PageMeasure(spec.path, spec.title, role) for _ in dbs]
            for lst, m in zip(out, ms_):
                lst.append(m)
            live = list(zip(dbs, ms_))
            apps = {}
            for db, m in live:
                try:
                    at = db.app(role)
                    db.use()
                    at.switch_page(spec.path)
                    at.run()   # warm-up (and the switch)
                    if at.exception:
                        raise RuntimeError(at.exception[0].value)
                    apps[id(db)] = at
                except Exception as exc:  # noqa: BLE001 — reported in the table
                    m.error = f"{type(exc).__name__}: {str(exc)[:160]}"
                    db.apps.pop(role, None)
            # Reruns (a click on the page: its read models are computed), then first views
            # (as after a write to what the page reads: nothing of services/view_cache kept).
            for cold in (False, True):
                for _ in range(runs):
                    for db, m in live:
                        if m.error:
                            continue
                        try:
                            seconds, statements, sql = db.run(apps[id(db)], cold)
                        except Exception as exc:  # noqa: BLE001
                            m.error = f"{type(exc).__name__}: {str(exc)[:160]}"
                            db.apps.pop(role, None)
                            continue
                        (m.cold_times if cold else m.times).append(seconds)
                        (m.cold_statements if cold else m.statements).append(statements)
                        (m.cold_sql if cold else m.sql).append(sql)
                    if noise is not None:
                        gc.collect()
                        noise.append(fixed_work())
            for m in ms_:
                print(f"    {spec.title:10s} {role:13s} rerun p50 {ms(m.p50):>7} p95 {ms(m.p95):>7} ms; "
                      f"first view p50 {ms(m.cold_p50):>7} p95 {ms(m.cold_p95):>7} ms "
                      f"(SQL {ms(m.cold_sql_p50):>6}) {m.stmts:>6} stmts"
                      + (f"  ERROR {m.error}" if m.error else ""), flush=True)
    finally:
        dbmod.configure(None)
        for db in dbs:
            db.close()
    return out


# ---------------------------------------------------------------- report

def table(kind: str, empty: list[PageMeasure], big: list[PageMeasure],
          base: list[PageMeasure] | None = None) -> tuple[str, list[str]]:
    """Empty, (smaller street,) generated street side by side, for reruns and for first
    views. "× empty" compares p95 with the empty database; "× smaller" compares the first
    view's p50 with the smaller street of the same organisation: time that grows with
    history shows there, not content a page shows. Statements are the first view's."""
    head = ["page", "role", "rerun: empty p95", "generated p50", "generated p95", "× empty",
            "first view: empty p95"] + (["smaller p50"] if base else []) + [
            "generated p50", "generated p95", "× empty"] + (["× smaller (p50)"] if base else []) + [
            "SQL empty"] + (["SQL smaller"] if base else []) + ["SQL generated",
            "SQL ms: empty p50", "generated p50", "flags"]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (len(head) - 3) + "---|"]
    misses = []
    by_path = {m.path: m for m in empty}
    base_by = {m.path: m for m in base or []}
    nan = float("nan")
    for g in big:
        e = by_path.get(g.path)
        b = base_by.get(g.path)
        flags = []
        if g.error or (e and e.error):
            flags.append("ERROR " + (g.error or e.error))
        rerun = g.p95 / e.p95 if e and e.times and g.times else nan
        first = g.cold_p95 / e.cold_p95 if e and e.cold_times and g.cold_times else nan
        growth = g.cold_p50 / b.cold_p50 if b and b.cold_times and g.cold_times else nan
        if g.times and max(g.p95, g.cold_p95) > TARGET_P95:
            flags.append("> 300 ms")
        if rerun == rerun and rerun > TARGET_RATIO:
            flags.append("rerun > 1.5× empty")
        if first == first and first > TARGET_RATIO:
            flags.append("first view > 1.5× empty")
        if growth == growth and growth > TARGET_RATIO:
            flags.append("slower with history")
        if b and g.cold_statements and b.cold_statements and max(g.cold_statements) > max(b.cold_statements):
            flags.append("SQL grows with history")
        elif not b and e and g.cold_statements and e.cold_statements and max(g.cold_statements) > max(e.cold_statements):
            flags.append("more SQL than empty")
        if flags:
            misses.append(f"{kind} {g.title} ({g.path}): {', '.join(flags)}")
        # With a smaller street to compare, statements beyond the empty database's are what
        # the page shows (a shift, open items), not history: noted, not a miss.
        if b and e and g.cold_statements and e.cold_statements and max(g.cold_statements) > max(e.cold_statements):
            flags.append(f"content: +{max(g.cold_statements) - max(e.cold_statements)} SQL over empty")
        cells = [f"{g.title} `{Path(g.path).stem}`", g.role, ms(e.p95) if e else "–",
                 ms(g.p50), ms(g.p95), f"{rerun:.2f}", ms(e.cold_p95) if e else "–"]
        cells += [ms(b.cold_p50) if b else "–"] if base else []
        cells += [ms(g.cold_p50), ms(g.cold_p95), f"{first:.2f}"]
        cells += [f"{growth:.2f}"] if base else []
        cells += [e.stmts if e else "–"] + ([b.stmts if b else "–"] if base else []) + [g.stmts]
        cells += [ms(e.cold_sql_p50) if e else "–", ms(g.cold_sql_p50)]
        lines.append("| " + " | ".join(cells) + f" | {'; '.join(flags)} |")
    return "\n".join(lines), misses


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--years", type=float, default=1, help="history generated when no URL is given")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--sqlite-url", help="an already generated SQLite street")
    p.add_argument("--pg-url", help="an already generated PostgreSQL street")
    p.add_argument("--sqlite-baseline", help="a smaller generated SQLite street of the same "
                   "organisation: statements or p50 time above it are flagged as growing with history")
    p.add_argument("--pg-baseline", help="the same for PostgreSQL")
    p.add_argument("--label", default=None, help="what the generated street is (for the report)")
    p.add_argument("--no-pg", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument("--only", nargs="*", help="pages whose path contains one of these")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--at", type=datetime.fromisoformat, default=None,
                   help="the moment the streets are seen at (ISO, with its offset): the services' "
                   "clock runs on from it. A street generated up to a day has its shifts, open "
                   "clocks and rosters around it; seen days later, its pages would show less")
    a = p.parse_args(argv)
    os.chdir(ROOT)
    seen_at(a.at)
    kinds = [] if a.no_sqlite else ["sqlite"]
    notes = []
    if not a.no_pg:
        if pg_available():
            kinds.append("postgresql")
        else:
            notes.append(f"PostgreSQL not reachable at {PG_ADMIN_URL}: skipped.")
    label = a.label or f"generated, --years {a.years:g}" + (f" --scale {a.scale:g}" if a.scale != 1 else "")
    sections, all_misses = [], []
    for kind in kinds:
        given = a.sqlite_url if kind == "sqlite" else a.pg_url
        baseline = a.sqlite_baseline if kind == "sqlite" else a.pg_baseline
        with fresh(kind) as empty_url, (nullcontext(given) if given else fresh(kind)) as big_url:
            seed_empty(empty_url)
            if given:
                gen_note = f"the street at `{given.split('@')[-1]}`"
            else:
                print(f"[{kind}] generating ({label}) …", flush=True)
                migrate(big_url)
                res = generate(big_url, a.years, a.scale)
                gen_note = (f"generated here: {res['rows']:,} rows in {res['seconds']:.0f} s "
                            f"({res['rows'] / res['seconds']:,.0f} rows/s)")
            if baseline:
                gen_note += f"; compared with the smaller street `{baseline.split('@')[-1]}`"
            print(f"[{kind}] empty database, {label}" + (", smaller street" if baseline else "")
                  + f": {a.runs} runs per page each, taking turns …", flush=True)
            noise: list[float] = []
            measured = measure_pages([empty_url, big_url] + ([baseline] if baseline else []),
                                     a.runs, a.only, noise)
        empty, big = measured[0], measured[1]
        base = measured[2] if baseline else None
        load = "/".join(f"{x:.1f}" for x in os.getloadavg())
        gen_note += f"; load average {load} after this backend"
        if noise:
            gen_note += (f"; the machine's own spread: a fixed piece of Python timed once a round, "
                         f"p50 {ms(_pct(noise, 50))} ms, p95 {ms(_pct(noise, 95))} ms "
                         f"(p95 = {_pct(noise, 95) / _pct(noise, 50):.2f} × p50)")
        tbl, misses = table(kind, empty, big, base)
        all_misses += misses
        sections += [f"### {kind} — empty vs {label} ({gen_note})", "", tbl, ""]
    stamp = time.strftime("%Y-%m-%d %H:%M %Z")
    report = "\n".join([
        f"## bench.pages — {stamp}", "", f"Machine: {machine()}.",
        f"`python -m bench.pages {' '.join(argv or sys.argv[1:])}`".replace(" `", "`"), "",
        "Script time (ms) of one AppTest run of app.py signed in (session check, navigation, the "
        f"page) after a warm-up, p50/p95 over {a.runs} runs of each kind: reruns (what a click on "
        "the page costs: read models kept by services/view_cache) and first views (the cache "
        "cleared before each run, as after a write to what the page reads). SQL: statements per "
        "first view (distinct values); SQL ms: time spent executing them in a first view (p50). "
        "The databases take turns run by run, and garbage is collected before each run, outside "
        "its time (AppTest's own per-run mock runtime is cyclic garbage). Targets: p95 ≤ 300 ms "
        "and ≤ 1.5 × the empty database; statements not growing with history: the generated "
        "street against the smaller one of the same organisation (nor, × smaller, time: "
        "first-view p50). Statements beyond the empty database's are the page's content, "
        "noted in flags.", "", *sections,
        "**Misses:**" if all_misses else "**All pages within the targets.**",
        *[f"- {m}" for m in all_misses], *[f"\n**Note:** {n}" for n in notes], ""])
    print("\n" + report)
    if not a.no_write:
        with open(RESULTS, "a", encoding="utf-8") as out:
            out.write(report + "\n")
        print(f"appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
