"""Two instances, one database (issue 7): the two-instance deployment, tested.

Two `streamlit run app.py` servers on free ports share one migrated PostgreSQL database
(DUTYDESK_DATABASE_URL) and one data directory (DUTYDESK_DATA_DIR: the cookie signing key),
as deploy/dutydesk@.service runs them behind nginx.

- In real Chromium, the office administrator signed in on instance A adds a unit; signed in
  on instance B (its own browser context, as nginx may send another officer there) she sees
  it, adds another, and A shows that one on its next run.
- At the service level, on the same database (the instances run the same services):
  50 concurrent sessions race transitions on three shared incidents — drafting, submitting,
  signing off and sending reports, starting and confirming verification, phone reports —
  with optimistic locking; all click at once, and a session refused as a concurrent edit
  refreshes and clicks again (twice at most). No update is lost (each incident's and
  report's version moved exactly once per successful write, one timeline event and one
  audit row per success), no report is stored twice, every refusal is a
  ConcurrentEditError or another DomainError, and the audit hash chain is intact.

PostgreSQL only: skipped without it locally, failed with CI=true.
"""
from __future__ import annotations

import re
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent / "browser"))

from conftest import IN_CI, PG_ADMIN_URL, _pg_available, create_pg_database  # noqa: E402
from harness import (  # noqa: E402, F401  (chromium_browser: a fixture)
    app_env, chromium_browser, expand, fill, login, migrate, new_context, open_page, settle,
    serving, snap, start_app, submit, wait_healthy,
)
from playwright.sync_api import expect  # noqa: E402
from incident_support import DISTRICT, content, intake, make_people  # noqa: E402
from models import db as dbmod  # noqa: E402
from models.audit import AuditEvent  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.incident import Incident, IncidentEvent, Report  # noqa: E402
from models.auth import User  # noqa: E402
from models.org import Unit  # noqa: E402
from services import audit, auth  # noqa: E402
from services import incidents as inc  # noqa: E402
from services.errors import ConcurrentEditError, DomainError  # noqa: E402
from services.permissions import SYSTEM_ACTOR  # noqa: E402
from services.uow import reading, transaction  # noqa: E402

SESSIONS = 50
ROUNDS = 6
RETRIES = 2
INCIDENTS = 3
BARRIER_SECONDS = 30
JOIN_SECONDS = 60
POOL_WAIT = 30


@pytest.fixture(scope="module")
def database_url():
    if not _pg_available():
        if IN_CI:
            pytest.fail("CI=true: PostgreSQL must be reachable at " + PG_ADMIN_URL)
        pytest.skip("PostgreSQL not reachable (set DUTYDESK_TEST_PG_URL)")
    url, drop = create_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="module")
def instances(database_url, tmp_path_factory):
    """Two servers, migrated as the unit's ExecStartPre does, on one database and one data dir."""
    env = app_env(tmp_path_factory.mktemp("shared") / "data", DUTYDESK_DATABASE_URL=database_url)
    migrate(env)
    apps = [start_app(env, "two-instances-A"), start_app(env, "two-instances-B")]
    with serving(*apps):
        started = time.monotonic()
        for app in apps:  # both started at once; each wait is bounded by the harness
            wait_healthy(app)
        print(f"\ntwo instances healthy in {time.monotonic() - started:.1f} s: "
              f"{apps[0].url} {apps[1].url}")
        yield apps


@pytest.fixture
def services_on(database_url):
    """Point this process's services at the shared database. 50 sessions share 20
    connections, as the two instances' pools (5 + 10 each) would: a session waits for a
    connection (at most POOL_WAIT seconds) and PostgreSQL's max_connections (100) is
    never approached."""
    engine = make_engine(database_url, pool_size=20, max_overflow=0, pool_timeout=POOL_WAIT)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        yield engine
    finally:
        dbmod.configure(None)
        engine.dispose()


def healthy(app) -> bool:
    with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=5) as resp:
        return resp.status == 200


# ---------------------------------------------------------------- 50 sessions, shared incidents

# What a success writes: the incident row (its version), a report row, a timeline event.
WRITES_INCIDENT = {"draft", "phone_report", "start_verification", "confirm_verified", "mark_sent"}
WRITES_REPORT = {"submit", "sign_off", "mark_sent"}
EVENT_OF = {"draft": "report_drafted", "submit": "report_submitted",
            "sign_off": "report_signed_off", "mark_sent": "report_sent",
            "phone_report": "phone_report", "start_verification": "start_verification",
            "confirm_verified": "verified"}


def snapshot(incident_id: int) -> SimpleNamespace:
    """What a session's page shows before the click: versions and states."""
    with reading() as s:
        row = s.get(Incident, incident_id)
        reports = [SimpleNamespace(id=r.id, kind=r.kind, by_phone=r.by_phone, status=r.status,
                                   version=r.version) for r in row.reports]
        return SimpleNamespace(id=row.id, version=row.version, state=row.state,
                               unverified=row.unverified, reports=reports)


def offered(snap: SimpleNamespace, leader: bool) -> list[tuple[str, object]]:
    """The actions the incident page offers this session, as (action, report or kind)."""
    out = [("phone_report", None)]
    if snap.state == "received":
        out.append(("start_verification", None))
    if snap.unverified:
        out.append(("confirm_verified", None))
    written = [r for r in snap.reports if not r.by_phone]
    if not written:
        out.append(("draft", "initial"))
    elif all(r.status == "sent" for r in written) and len(written) < 3:
        out.append(("draft", "follow_up"))
    for r in written:
        if r.status == "draft":
            out.append(("submit", r))
        elif r.status == "submitted" and leader:
            out.append(("sign_off", r))
        elif r.status == "approved":
            out.append(("mark_sent", r))
    return out


def act(actor, snap, action: str, arg) -> int | None:
    """One click; returns the report it concerned (a new one for draft and phone report)."""
    if action == "draft":
        body = content() if arg == "initial" else content(changes_since_last="伤员已送医")
        return inc.draft_report(actor, snap.id, snap.version, arg, body)
    if action == "phone_report":
        return inc.record_phone_report(actor, snap.id, snap.version, inc.PhoneReportInput(
            recipients=DISTRICT, summary="电话报告现场情况")).report_id
    if action == "start_verification":
        inc.start_verification(actor, snap.id, snap.version)
        return None
    if action == "confirm_verified":
        inc.confirm_verified(actor, snap.id, snap.version, "已电话向社区核实")
        return None
    if action == "submit":
        inc.submit_report(actor, arg.id, arg.version)
    elif action == "sign_off":
        inc.sign_off_report(actor, arg.id, arg.version)
    elif action == "mark_sent":
        inc.mark_sent(actor, arg.id, arg.version, "written")
    return arg.id


def incident_state(incident_id: int) -> SimpleNamespace:
    with reading() as s:
        row = s.get(Incident, incident_id)
        events = Counter(s.execute(select(IncidentEvent.kind)
                                   .where(IncidentEvent.incident_id == incident_id)).scalars())
        reports = [SimpleNamespace(id=r.id, kind=r.kind, number=r.number, by_phone=r.by_phone,
                                   status=r.status, version=r.version)
                   for r in s.execute(select(Report).where(Report.incident_id == incident_id))
                   .scalars()]
        return SimpleNamespace(version=row.version, events=events, reports=reports)


def audit_rows() -> int:
    with reading() as s:
        return s.execute(select(func.count(AuditEvent.id))).scalar_one()


def test_fifty_sessions_on_shared_incidents_lose_nothing(instances, services_on):
    started = time.monotonic()
    p = make_people()
    actors = [p.leader if i % 5 == 0 else (p.officer, p.officer2)[i % 2] for i in range(SESSIONS)]
    incidents = [inc.receive(p.officer, intake(title=f"共享事件{n}", level="II"))
                 for n in range(INCIDENTS)]
    before = {iid: incident_state(iid) for iid in incidents}
    audit_before = audit_rows()

    barrier = threading.Barrier(SESSIONS, timeout=BARRIER_SECONDS)
    lock = threading.Lock()
    successes: list[tuple[int, str, int | None]] = []   # (incident, action, report)
    refusals: list[tuple[str, DomainError]] = []
    unexpected: list[BaseException] = []

    def session(i: int) -> None:
        actor = actors[i]
        leader = actor is p.leader
        try:
            for round_ in range(ROUNDS):
                iid = incidents[(i + round_) % INCIDENTS]
                barrier.wait()                       # every session reads the same state…
                for attempt in range(1 + RETRIES):   # …a conflict: refresh, click again
                    snap = snapshot(iid)
                    choices = offered(snap, leader)
                    action, arg = choices[(i * 7 + round_ + attempt) % len(choices)]
                    if attempt == 0:
                        barrier.wait()               # …then they all click at once
                    try:
                        rid = act(actor, snap, action, arg)
                    except DomainError as exc:       # ConcurrentEditError is one
                        with lock:
                            refusals.append((action, exc))
                        if not isinstance(exc, ConcurrentEditError):
                            break
                    else:
                        with lock:
                            successes.append((iid, action, rid))
                        break
        except BaseException as exc:  # noqa: BLE001 — anything else fails the test below
            with lock:
                unexpected.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=session, args=(i,), daemon=True) for i in range(SESSIONS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + JOIN_SECONDS
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "sessions still running after 60 s"
    assert not unexpected, [repr(e) for e in unexpected[:5]]

    conflicts = [e for _, e in refusals if isinstance(e, ConcurrentEditError)]
    other_refusals = Counter(str(e) for _, e in refusals if not isinstance(e, ConcurrentEditError))
    attempts = len(successes) + len(refusals)
    assert SESSIONS * ROUNDS <= attempts <= SESSIONS * ROUNDS * (1 + RETRIES)
    print(f"\n{attempts} attempts in {time.monotonic() - started:.1f} s: "
          f"{len(successes)} succeeded {dict(Counter(a for _, a, _ in successes))}, "
          f"{len(conflicts)} ConcurrentEditError, other refusals {dict(other_refusals)}")
    assert conflicts, "50 sessions on 3 incidents and not one conflict: nothing raced"
    assert len(successes) >= INCIDENTS * ROUNDS, "too few writes succeeded to prove anything"

    for iid in incidents:
        done = [(a, r) for i, a, r in successes if i == iid]
        after, start = incident_state(iid), before[iid]
        # No lost update: one version step per successful write of the incident row …
        assert after.version == start.version + sum(a in WRITES_INCIDENT for a, _ in done)
        # … one timeline event per success, of the matching kind.
        assert after.events - start.events == Counter(EVENT_OF[a] for a, _ in done)

        # No duplicate report: one row per successful draft / phone report, numbered 1…n.
        assert len({(r.kind, r.number, r.by_phone) for r in after.reports}) == len(after.reports)
        phone = sorted(r.number for r in after.reports if r.by_phone)
        written = [r for r in after.reports if not r.by_phone]
        assert len(phone) == sum(a == "phone_report" for a, _ in done)
        assert phone == list(range(1, len(phone) + 1))
        assert len(written) == sum(a == "draft" for a, _ in done)
        assert [r.kind for r in written].count("initial") <= 1
        follow = sorted(r.number for r in written if r.kind == "follow_up")
        assert follow == list(range(1, len(follow) + 1))

        # Each written report: one version step per successful write, status as they left it.
        for r in written:
            steps = [a for a, rid in done if rid == r.id and a in WRITES_REPORT]
            assert len(steps) == len(set(steps)), (r.id, steps)   # each step once
            assert r.version == 1 + len(steps), (r.id, r.version, steps)
            expected = ("sent" if "mark_sent" in steps else "approved" if "sign_off" in steps
                        else "submitted" if "submit" in steps else "draft")
            assert r.status == expected, (r.id, r.status, steps)

    # One audit row per success, and the hash chain holds across all of them.
    assert audit_rows() == audit_before + len(successes)
    with reading() as s:
        chain = audit.verify_chain(s)
    assert chain.intact, (chain.broken_id, chain.reason)
    a, b = instances
    assert healthy(a) and healthy(b)  # the servers shared the database all along
    assert time.monotonic() - started < 60


# ---------------------------------------------------------------- seen across instances

OFFICE = ("shuangshi", "双实例管理员", "Twin#Desk2026")


def office_admin_account() -> None:
    """An office administrator of the street office, her own password, no forced change."""
    with transaction() as s:
        street = s.scalar(select(Unit.id).where(Unit.kind == "street_office"))
        if street is None:   # run alone, without the 50-session test's two units
            unit = Unit(name="柏泉街道机关", kind="street_office", active=True)
            s.add_all([unit, Unit(name="某社区", kind="grassroots", active=True)])
            s.flush()
            street = unit.id
    uid = auth.create_user(SYSTEM_ACTOR, OFFICE[0], OFFICE[1], OFFICE[2], unit_id=street,
                           roles={"office_admin"})
    with transaction() as s:
        s.get(User, uid).must_change_password = False


def add_unit(page, name: str, phone: str) -> None:
    # Only from another page: the link of the page already shown starts a rerun of no use
    # here, and a form submitted while a rerun is on its way can be lost (with it, this test
    # failed 1 run in 4 on a 2-core machine; without it, 1 in 20 or less).
    if not page.get_by_role("heading", name="单位与值班电话", exact=True).is_visible():
        open_page(page, "单位与值班电话")
    expand(page, "新增单位")
    fill(page, "单位名称", name)
    fill(page, "值班电话", phone)
    submit(page, "新增单位")
    done = page.get_by_text(f"已新增单位「{name}」").first
    try:
        expect(done).to_be_visible(timeout=10_000)
    except AssertionError:
        # A click could be lost (1 run in 8 here under load, once in a fresh-clone CI run):
        # a rerun sent by the cookie reader left on signed-in pages interrupted the run
        # carrying the submit. app.py no longer renders it there (0 in 10 since); should it
        # happen, the form keeps what was typed, and an officer would click again;
        # clicked again only then (a unit made by the first click would have reset the form,
        # and the check at the end finds each unit once).
        expect(page.get_by_label("单位名称", exact=True)).to_have_value(name)
        submit(page, "新增单位")
        expect(done).to_be_visible()


def in_table(page, text: str):
    """Cells of the page's tables showing `text` (a data grid keeps its cells in an
    accessible table hidden behind the canvas it draws)."""
    return page.locator('[data-testid="stDataFrame"] td', has_text=text)


@pytest.mark.browser
def test_a_record_made_in_one_instance_is_seen_in_the_other(instances, services_on,
                                                             chromium_browser):
    office_admin_account()
    a, b = instances
    contexts = [new_context(chromium_browser), new_context(chromium_browser)]
    try:
        on_a, on_b = (ctx.new_page() for ctx in contexts)
        for page, app in ((on_a, a), (on_b, b)):
            page.goto(app.url)
            settle(page)
            login(page, OFFICE[0], OFFICE[2])
            expect(page.get_by_test_id("stSidebar").get_by_text(OFFICE[1], exact=True)
                   ).to_be_visible()

        add_unit(on_a, "双联社区", "027-83886001")
        open_page(on_b, "单位与值班电话")
        expect(on_b.get_by_role("tab", name=re.compile(r"^基层单位（\d+）$"))).to_be_visible()
        on_b.get_by_role("tab", name=re.compile(r"^基层单位")).click()
        settle(on_b)
        expect(in_table(on_b, "双联社区")).to_have_count(1)

        add_unit(on_b, "双星社区", "027-83886002")
        open_page(on_a, "人员")             # any other page, then back: a fresh run on A
        open_page(on_a, "单位与值班电话")
        on_a.get_by_role("tab", name=re.compile(r"^基层单位")).click()
        settle(on_a)
        expect(in_table(on_a, "双星社区")).to_have_count(1)
        snap(on_a, "two-instances-A-sees-B")
    finally:
        for ctx in contexts:
            ctx.close()
    with reading() as s:  # one database: each unit once, whichever instance wrote it
        names = s.scalars(select(Unit.name).where(Unit.name.in_(["双联社区", "双星社区"])))
        assert sorted(names) == ["双星社区", "双联社区"]
