"""A synthetic street for the scale benchmarks (issue 7, "Data at scale").

Deterministic from `--seed` (and `--until`, the last day, default today in Beijing): the same
arguments give the same rows. Loaded straight into a migrated, empty database with bulk
inserts — SQLAlchemy Core `insert()` executemany in chunks, one transaction per chunk, every
table's rows flushed in foreign-key order — never through the services, so nothing updates
or deletes and the append-only triggers only ever see inserts.

Sizes for `--years 10` (the issue): 100 units, 2,000 people, 500 accounts, ~1.1 million shift
assignments (one 24-hour shift a day in 99 units with 3 officers; day and night shifts with
2 officers at the street office), 110,000 incidents with 6 timeline events each, ~440,000
log-book entries (one sealed, hash-chained book per past shift), 4 million audit rows forming
one valid hash chain. `--years 1` is the history of one year (10 %): the organisation is the
same, every history table a tenth. `--scale 0.05` shrinks everything further (units, people,
accounts too) for a quick check.

Realistic shape: the past is closed — incidents closed with sent reports and satisfied
clocks, shifts handed over with signed handovers and sealed log books, calls closed,
instructions closed, hotline items done; a small open tail — a few open incidents with
running (and one overdue) deadlines, open calls, today's shifts on duty with an open book.

    .venv/bin/python -m bench.generate sqlite:////tmp/street.sqlite --years 1
    .venv/bin/python -m bench.generate postgresql+psycopg://postgres@127.0.0.1/street --years 10
    .venv/bin/python -m bench.generate sqlite:////tmp/quick.sqlite --years 1 --scale 0.05 --migrate

Signs in for benchmarks: bench_admin (office_admin), bench_leader (shift_leader), bench_officer
(duty_officer), bench_sysadm (system_admin), bench_auditor (audit_admin); password PASSWORD.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DUTYDESK_BCRYPT_ROUNDS", "4")

from sqlalchemy import func, insert, select, text  # noqa: E402

from models.audit import AuditEvent  # noqa: E402
from models.auth import User, UserRole  # noqa: E402
from models.base import Base  # noqa: E402
from models.daily import (  # noqa: E402
    Call, HotlineItem, Instruction, InstructionTarget, LogBook, LogEntry,
)
from models.db import make_engine  # noqa: E402
from models.incident import (  # noqa: E402
    DeadlineRecord, Incident, IncidentEvent, IncidentIntake, Report, VerificationRequest,
)
from models.org import Contact, Person, Unit  # noqa: E402
from models.oversight import (  # noqa: E402
    Bulletin, BulletinInspection, Inspection, TrainingAttendance, TrainingSession,
)
from models.roster import (  # noqa: E402
    CheckIn, Handover, Roster, Shift, ShiftOfficer, SpecialPeriodRow, SwapRequest,
)
from services.audit import GENESIS, content_hash  # noqa: E402
from rules.staffing import ShiftFacts, shift_label  # noqa: E402
from services.daily.logbook import entry_hash, seal_hash  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Bench#Desk2026"
BENCH_USERS = {   # username: (display name, role)
    "bench_admin": ("党政办管理员", "office_admin"),
    "bench_leader": ("带班领导", "shift_leader"),
    "bench_officer": ("值班员", "duty_officer"),
    "bench_sysadm": ("系统管理员", "system_admin"),
    "bench_auditor": ("审计管理员", "audit_admin"),
}

# The 10-year street; history per year is a tenth of it.
TEN_YEARS = dict(units=100, people=2000, accounts=500, incidents=110_000, audit=4_000_000,
                 calls=220_000, instructions=6_000, hotline=12_000, inspections=4_800)
EVENTS_PER_INCIDENT = 6
OPEN_INCIDENTS = 12
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志海波辉"
PLACES = ["柏泉街道", "东风社区", "新华社区", "长丰社区", "金银湖社区", "府河沿线", "107国道"]
INCIDENT_TITLES = [("accident", "交通事故"), ("accident", "火灾"), ("natural_disaster", "内涝积水"),
                   ("public_health", "食物中毒"), ("social_security", "群体性聚集"),
                   ("accident", "燃气泄漏"), ("natural_disaster", "大风倒树")]
AUDIT_ACTIONS = ["auth.login", "auth.logout", "incident.receive", "incident.transition",
                 "report.draft", "report.send", "call.create", "call.close", "shift.check_in",
                 "handover.sign", "logbook.seal", "roster.publish"]


def local(day: date, at: dtime) -> datetime:
    return datetime.combine(day, at, SHANGHAI).astimezone(timezone.utc)


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


@dataclass
class Sizes:
    years: float
    scale: float
    units: int
    people: int
    accounts: int
    days: int
    incidents: int
    audit: int
    calls: int
    instructions: int
    hotline: int
    inspections: int

    @classmethod
    def of(cls, years: float, scale: float) -> Sizes:
        hist = years / 10 * scale
        return cls(years, scale,
                   units=max(3, round(TEN_YEARS["units"] * scale)),
                   people=max(60, round(TEN_YEARS["people"] * scale)),
                   accounts=max(15, round(TEN_YEARS["accounts"] * scale)),
                   days=round(365.25 * years),
                   **{k: max(OPEN_INCIDENTS + 5 if k == "incidents" else 10,
                             round(TEN_YEARS[k] * hist))
                      for k in ("incidents", "audit", "calls", "instructions", "hotline",
                                "inspections")})


class Loader:
    """Buffers rows per table; a full buffer flushes every table's buffer, parents first, in one
    transaction (one chunk), so foreign keys always find their rows."""

    def __init__(self, engine, chunk: int):
        self.engine, self.chunk = engine, chunk
        self.order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
        self.buffers: dict[str, list[dict]] = {}
        self.tables = {t.name: t for t in Base.metadata.sorted_tables}
        self.counts: dict[str, int] = {}
        self.chunks = 0

    def put(self, model, row: dict) -> None:
        table = model.__tablename__ if hasattr(model, "__tablename__") else model.name
        buf = self.buffers.setdefault(table, [])
        buf.append(row)
        if len(buf) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        pending = sorted((n for n, b in self.buffers.items() if b), key=self.order.__getitem__)
        if not pending:
            return
        with self.engine.begin() as conn:
            for n in pending:
                rows = self.buffers[n]
                conn.execute(insert(self.tables[n]), rows)
                self.counts[n] = self.counts.get(n, 0) + len(rows)
                self.buffers[n] = []
        self.chunks += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Street:
    def __init__(self, loader: Loader, sizes: Sizes, seed: int, until: date, now: datetime):
        self.L, self.z, self.rng = loader, sizes, random.Random(seed)
        self.until, self.now = until, now
        self.first_day = until - timedelta(days=sizes.days - 1)
        self.ids: dict[str, int] = {}
        self.created = local(self.first_day - timedelta(days=30), dtime(9))

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    # ------------------------------------------------------------ organisation and accounts
    def organisation(self) -> None:
        z, rng, L = self.z, self.rng, self.L
        kinds = ["grassroots"] * 60 + ["station"] * 20 + ["department"] * 19
        self.unit_names: dict[int, str] = {}
        self.person_names: dict[int, str] = {}
        for u in range(1, z.units + 1):
            kind = "street_office" if u == 1 else kinds[(u - 2) % len(kinds)]
            self.unit_names[u] = "柏泉街道办事处" if u == 1 else f"柏泉{['社区', '站所', '科室'][u % 3]}{u:03d}"
            L.put(Unit, dict(id=u, name=self.unit_names[u],
                             kind=kind, parent_id=None if u == 1 else 1,
                             duty_phone=f"027-8390{u:04d}", fax=None, address=f"柏泉大道{u}号",
                             active=True, version=1))
        self.unit_people: dict[int, list[int]] = {u: [] for u in range(1, z.units + 1)}
        self.leaders: dict[int, list[int]] = {u: [] for u in range(1, z.units + 1)}
        for p in range(1, z.people + 1):
            u = 1 + (p - 1) % z.units
            lead = len(self.unit_people[u]) < 3
            self.unit_people[u].append(p)
            if lead:
                self.leaders[u].append(p)
            self.person_names[p] = name(rng)
            L.put(Person, dict(id=p, name=self.person_names[p], unit_id=u, position="带班领导" if lead else "值班员",
                               mobile=f"138{p:08d}", office_phone=None,
                               employment="permanent" if rng.random() < 0.85 else "contract",
                               can_lead_shift=lead,
                               pre_job_trained_on=self.until - timedelta(days=rng.randrange(400, 3000)),
                               yearly_trained_on=self.until - timedelta(days=rng.randrange(10, 300)),
                               active=True, version=1))
        for c in range(1, 101):
            L.put(Contact, dict(id=c, name=name(rng), organisation=f"联络单位{c}",
                                category=["district_duty_office", "district_emergency_bureau",
                                          "unit", "other"][c % 4],
                                phone=f"027-8{c:07d}", mobile=None, fax=None, notes=None,
                                last_reviewed_on=self.until - timedelta(days=c), active=True,
                                version=1))
        # accounts: the bench sign-ins first, then the street office's officers, then one
        # unit duty officer per unit, the rest duty officers.
        import bcrypt
        pw = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode("ascii")
        changed = self.now - timedelta(days=1)
        self.user_ids: list[int] = []
        self.office_users: list[int] = []
        self.leader_users: list[int] = []
        roles_of: list[tuple[str, str, str, int | None, int]] = []
        for username, (display, role) in BENCH_USERS.items():
            roles_of.append((username, display, role, None, 1))
        person_iter = iter(self.unit_people[1] + [p for u in range(2, z.units + 1)
                                                  for p in self.unit_people[u]])
        for u in range(2, z.units + 1):
            if len(roles_of) >= z.accounts:
                break
            roles_of.append((f"unit{u:03d}", name(rng), "unit_duty_officer", None, u))
        n = 0
        while len(roles_of) < z.accounts:
            n += 1
            roles_of.append((f"officer{n:04d}", name(rng), "shift_leader" if n % 10 == 0
                             else "duty_officer", None, 1))
        used_people: set[int] = set()
        role_id = 0
        for uid, (username, display, role, _, unit) in enumerate(roles_of, start=1):
            person = None
            if role not in ("system_admin", "security_admin", "audit_admin"):
                pool = self.unit_people[unit]
                person = next((p for p in pool if p not in used_people), None)
                if person is None:
                    person = next(person_iter)
                    while person in used_people:
                        person = next(person_iter)
                used_people.add(person)
            L.put(User, dict(id=uid, username=username, display_name=display[:50], person_id=person,
                             unit_id=unit if person else None, password_hash=pw, password_changed_at=changed,
                             must_change_password=False, failed_logins=0, locked_until=None,
                             active=True, created_at=self.created, version=1))
            role_id += 1
            L.put(UserRole, dict(id=role_id, user_id=uid, role=role))
            self.user_ids.append(uid)
            if role in ("duty_officer", "office_admin", "shift_leader") and unit == 1:
                self.office_users.append(uid)
            if role == "shift_leader":
                self.leader_users.append(uid)
        self.names = {uid: r[1] for uid, r in enumerate(roles_of, start=1)}
        self.unit_user = {r[4]: uid for uid, r in enumerate(roles_of, start=1)
                          if r[2] == "unit_duty_officer"}
        self.ids["user_role"] = role_id
        L.flush()

    # ------------------------------------------------------------ rosters, shifts, log books
    def rosters(self) -> None:
        z, rng, L, now = self.z, self.rng, self.L, self.now
        log_target = 0.2   # extra entries per sealed book beyond its header → ~1.2 per book
        months = []
        d = date(self.first_day.year, self.first_day.month, 1)
        while d <= self.until:
            months.append((d.year, d.month))
            d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        self.today_shifts: list[int] = []
        for year, month in months:
            first = date(year, month, 1)
            last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            current = (year, month) == (self.until.year, self.until.month)
            for u in range(1, z.units + 1):
                rid = self.next_id("roster")
                L.put(Roster, dict(id=rid, unit_id=u, year=year, month=month,
                                   template_set="day_night" if u == 1 else "full_day",
                                   status="published", created_at=local(first, dtime(9)) - timedelta(days=10),
                                   published_at=local(first, dtime(10)) - timedelta(days=7),
                                   published_by_id=1, version=1))
                prev_shift = None
                first_sid = self.ids.get("shift", 0) + 1
                day = max(first, self.first_day)
                people = self.unit_people[u]
                leaders = self.leaders[u] or people
                k = 0
                while day <= last:
                    slots = ([("day", dtime(8, 30), timedelta(hours=9, minutes=30)),
                              ("night", dtime(18, 0), timedelta(hours=14, minutes=30))]
                             if u == 1 else [("full_day", dtime(8, 30), timedelta(hours=24))])
                    for code, start, length in slots:
                        k += 1
                        starts = local(day, start)
                        ends = starts + length
                        past, live = ends <= now, starts <= now < ends
                        sid = self.next_id("shift")
                        L.put(Shift, dict(id=sid, roster_id=rid, unit_id=u, starts_at=starts,
                                          ends_at=ends, template_code=code,
                                          leader_person_id=leaders[k % len(leaders)],
                                          state="handed_over" if past else "on_duty" if live else "scheduled",
                                          on_duty_at=starts - timedelta(minutes=12) if past or live else None,
                                          handed_over_at=ends if past else None, version=1))
                        crew = 2 if u == 1 else 3
                        offset = (k * crew) % len(people)
                        officers = [people[(offset + i) % len(people)] for i in range(crew)]
                        for p in officers:
                            L.put(ShiftOfficer, dict(id=self.next_id("shift_officer"), shift_id=sid,
                                                     person_id=p))
                            if past or live:
                                late = rng.random() < 0.03
                                L.put(CheckIn, dict(id=self.next_id("check_in"), shift_id=sid,
                                                    person_id=p, user_id=None,
                                                    at=starts - timedelta(minutes=5 if late else 15),
                                                    late=late))
                        if past or live:
                            self.book(ShiftFacts(sid, u, starts, ends, officers, leaders[k % len(leaders)]),
                                      day, sealed=past,
                                      extra=(1 if rng.random() < log_target else 0) + (2 if live else 0))
                        if live:
                            self.today_shifts.append(sid)
                        if prev_shift is not None and past:
                            hid = self.next_id("handover")
                            L.put(Handover, dict(id=hid, outgoing_shift_id=prev_shift[0],
                                                 incoming_shift_id=sid, summary="设备正常，无遗留事项",
                                                 equipment=[{"item": "值班电话", "ok": True, "note": ""}],
                                                 state="signed", created_by_id=None, created_at=starts,
                                                 outgoing_confirmed_by_id=None,
                                                 outgoing_confirmed_at=starts + timedelta(minutes=5),
                                                 incoming_confirmed_by_id=None,
                                                 incoming_confirmed_at=starts + timedelta(minutes=6),
                                                 version=1))
                        prev_shift = (sid, starts)
                    day += timedelta(days=1)
                # a few swaps each month at the street office
                if u == 1 and not current and len(people) > 2 and self.ids["shift"] > first_sid:
                    sid = rng.randrange(first_sid, self.ids["shift"] + 1)
                    L.put(SwapRequest, dict(id=self.next_id("swap_request"), kind="substitution",
                                            shift_id=sid, other_shift_id=None, from_person_id=people[0],
                                            to_person_id=people[1], reason="家中有事", state="approved",
                                            requested_by_id=None, requested_at=local(first, dtime(9)),
                                            accepted_at=local(first, dtime(10)), approved_by_id=1,
                                            approved_at=local(first, dtime(11)), decided_by_id=1,
                                            decided_at=local(first, dtime(11)), decision_note=None,
                                            version=1))
        for y in range(self.first_day.year, self.until.year + 1):
            L.put(SpecialPeriodRow, dict(id=self.next_id("special_period"), kind="flood_season",
                                         name=f"{y}年汛期", starts_at=local(date(y, 6, 1), dtime(0)),
                                         ends_at=local(date(y, 9, 30), dtime(23, 59)), all_units=True,
                                         double_staffing=True, leaders_on_duty=False, notes=None,
                                         version=1))

    def book(self, shift: ShiftFacts, day, sealed: bool, extra: int) -> None:
        L = self.L
        shift_id, unit_id, starts, ends = shift.id, shift.unit_id, shift.starts_at, shift.ends_at
        bid = self.next_id("log_book")
        prev = GENESIS
        # The head services/daily/logbook.header() seals into a book: a sealed book shows it.
        local_time = lambda t: t.astimezone(SHANGHAI).strftime("%Y年%m月%d日 %H:%M")  # noqa: E731
        head = {"unit_name": self.unit_names[unit_id], "shift_label": shift_label(shift),
                "duty_time": f"{local_time(starts)} 至 {local_time(ends)}",
                "shift_leader": self.person_names.get(shift.leader_id, ""),
                "duty_officers": [self.person_names[p] for p in shift.officer_ids]}
        lines = [(starts, "header", f"{head['unit_name']}{head['shift_label']}", head)]
        for n in range(extra):
            at = starts + timedelta(minutes=37 + 97 * n)
            if at < self.now:
                lines.append((at, "note", "接区总值班室电话通知，已转告带班领导", {}))
        recorded = ends if sealed else starts
        entries = []
        for at, kind, text_, details in lines:
            eid = self.next_id("log_entry")
            h = entry_hash(prev, bid, at, recorded, kind, text_, "", None, None, "值班员", None,
                           False, None, details)
            entries.append(dict(id=eid, log_book_id=bid, at=at, recorded_at=recorded, kind=kind,
                                text=text_, handling="", source_kind=None, source_id=None,
                                author="值班员", author_user_id=None, is_addendum=False,
                                corrects_entry_id=None, details=details, prev_hash=prev, hash=h))
            prev = h
        row = dict(id=bid, shift_id=shift_id, unit_id=unit_id, day=day, created_at=starts,
                   sealed_at=None, sealed_by_id=None, sealed_entries=None, seal_hash=None, version=1)
        if sealed:
            row.update(sealed_at=ends, sealed_entries=len(entries))

            class _B:  # seal_hash reads attributes
                pass
            b = _B()
            b.__dict__.update(row)
            row["seal_hash"] = seal_hash(prev, b)
        L.put(LogBook, row)
        for e in entries:
            L.put(LogEntry, e)

    # ------------------------------------------------------------ incidents and the daily record
    def spread(self, n: int, k: int) -> datetime:
        """The k-th of n moments spread over the history, the last a few hours ago."""
        span = (self.now - local(self.first_day, dtime(0))).total_seconds()
        return local(self.first_day, dtime(0)) + timedelta(seconds=span * (k + 0.5) / n)

    def incidents(self) -> None:
        z, rng, L, now = self.z, self.rng, self.L, self.now
        officers = self.office_users or [1]
        leaders = self.leader_users or [2]
        n_open = OPEN_INCIDENTS
        for k in range(z.incidents):
            iid = self.next_id("incident")
            open_ = k >= z.incidents - n_open
            at = (now - timedelta(minutes=20 + 37 * (z.incidents - k)) if open_
                  else self.spread(z.incidents, k) - timedelta(days=1))
            unit = 1 if rng.random() < 0.7 else rng.randrange(1, z.units + 1)
            owner = officers[k % len(officers)]
            category, what = rng.choice(INCIDENT_TITLES)
            level = rng.choice(("III", "IV", "IV", "IV", None))
            closed_at = at + timedelta(hours=rng.randrange(2, 72))
            state = rng.choice(("received", "reported", "follow_up")) if open_ else "closed"
            L.put(Incident, dict(
                id=iid, unit_id=unit, title=f"{rng.choice(PLACES)}{what}", occurred_at=at - timedelta(minutes=9),
                received_at=at, place=rng.choice(PLACES), source_kind="phone", source_text=name(rng),
                category=category, level=level, sensitive_time=False, sensitive_place=False,
                sensitive_nature=False, description="群众来电反映，已核实", classification="internal",
                state=state, unverified=False, owner_user_id=owner, created_by_id=owner, created_at=at,
                closure_status=None if open_ else "approved",
                closure_requested_by_id=None if open_ else owner,
                closure_requested_at=None if open_ else closed_at - timedelta(hours=1),
                closure_note=None if open_ else "处置完毕", closure_decided_by_id=None if open_ else leaders[k % len(leaders)],
                closure_decided_at=None if open_ else closed_at, closure_comment=None,
                closed_at=None if open_ else closed_at, version=4 if not open_ else 1))
            L.put(IncidentIntake, dict(id=self.next_id("incident_intake"), incident_id=iid,
                                       caller=name(rng), number=f"139{k:08d}", received_at=at,
                                       summary="来电报告", taken_by_id=owner))
            who = self.names.get(owner, "值班员")[:50]
            steps = [("received", None, "received", at), ("start_verification", "received", "verifying",
                                                          at + timedelta(minutes=5)),
                     ("report_sent", "verifying", "reported", at + timedelta(minutes=40)),
                     ("report_sent", None, None, closed_at - timedelta(hours=2)),
                     ("closure_requested", None, None, closed_at - timedelta(hours=1)),
                     ("close", "reported", "closed", closed_at)]
            if open_:
                steps = steps[:1 + (state != "received") * 2]
            for kind, src, dst, when in steps[:EVENTS_PER_INCIDENT]:
                L.put(IncidentEvent, dict(id=self.next_id("incident_event"), incident_id=iid, at=when,
                                          actor_user_id=owner, actor_name=who, kind=kind,
                                          from_state=src, to_state=dst, note="", details={}))
            due = at + timedelta(hours=1)
            if not open_ or state != "received":
                for kind_, number, when in (("initial", 0, at + timedelta(minutes=40)),
                                            ("final", 0, closed_at - timedelta(hours=2)))[:2 if not open_ else 1]:
                    rid = self.next_id("incident_report")
                    L.put(Report, dict(
                        id=rid, incident_id=iid, kind=kind_, number=number, by_phone=False,
                        elements={"cause_nature": what, "handling": "已处置"}, deaths=0, injuries=0,
                        missing=0, losses=None, missing_elements=[], changed_elements=[],
                        changes_since_last="", channel="written", recipients=["district_duty_office"],
                        classification="internal", urgency=None, unverified=False, status="sent",
                        drafted_by_id=owner, drafted_at=when - timedelta(minutes=20),
                        submitted_by_id=owner, submitted_at=when - timedelta(minutes=15),
                        signed_off_by_id=leaders[k % len(leaders)], signed_off_at=when - timedelta(minutes=5),
                        returned_by_id=None, returned_at=None, return_comment=None, sent_by_id=owner,
                        sent_at=when, delay_reason=None, written_owed=False, version=4))
                    if kind_ == "initial":
                        L.put(DeadlineRecord, dict(
                            id=self.next_id("deadline_record"), unit_id=unit, incident_id=iid,
                            verification_request_id=None, kind="report", recipient="district_duty_office",
                            channel="written", starts_at=at, due_at=due, latest_at=due, article="第二十一条",
                            opened_by_report_id=None, satisfied_by_report_id=rid, satisfied_at=when,
                            late_reason=None, created_at=at))
            if open_:   # running clocks: the last one overdue, the others due soon
                for recipient in ("district_duty_office", "office_head", "shift_leader"):
                    d = now + timedelta(minutes=30 - 45 * (k == z.incidents - 1))
                    L.put(DeadlineRecord, dict(
                        id=self.next_id("deadline_record"), unit_id=unit, incident_id=iid,
                        verification_request_id=None, kind="report", recipient=recipient,
                        channel="phone" if recipient != "district_duty_office" else "written",
                        starts_at=at, due_at=d, latest_at=d, article="第二十一条",
                        opened_by_report_id=None, satisfied_by_report_id=None, satisfied_at=None,
                        late_reason=None, created_at=at))
            if not open_ and k % 20 == 0:   # 核报, answered
                vid = self.next_id("verification_request")
                L.put(VerificationRequest, dict(
                    id=vid, unit_id=unit, incident_id=iid, requested_at=at + timedelta(minutes=30),
                    requester="区总值班室", content="请核实情况", written_required=False, logged_by_id=owner,
                    logged_at=at + timedelta(minutes=31), phone_answered_at=at + timedelta(minutes=50),
                    phone_answered_by_id=owner, phone_answer="已核实", written_answered_at=None,
                    written_answered_by_id=None, written_answer=None, late_reason=None,
                    state="answered", version=2))
                L.put(DeadlineRecord, dict(
                    id=self.next_id("deadline_record"), unit_id=unit, incident_id=iid,
                    verification_request_id=vid, kind="verification", recipient="district_duty_office",
                    channel="phone", starts_at=at + timedelta(minutes=30),
                    due_at=at + timedelta(minutes=60), latest_at=at + timedelta(minutes=60),
                    article="第二十条、第二十一条", opened_by_report_id=None, satisfied_by_report_id=None,
                    satisfied_at=at + timedelta(minutes=50), late_reason=None, created_at=at))

    def daily(self) -> None:
        z, rng, L, now = self.z, self.rng, self.L, self.now
        officers = self.office_users or [1]
        for k in range(z.calls):
            open_ = k >= z.calls - 5
            at = now - timedelta(minutes=15 * (z.calls - k)) if open_ else self.spread(z.calls, k) - timedelta(hours=6)
            owner = officers[k % len(officers)]
            L.put(Call, dict(id=self.next_id("call"), unit_id=1, at=at, caller=name(rng),
                             caller_unit=rng.choice(PLACES), number=f"137{k:08d}",
                             kind=rng.choice(("information_report", "consultation", "complaint", "other")),
                             summary="来电咨询防汛值班安排", importance="normal", owner_user_id=owner,
                             taken_by_id=owner, state="open" if open_ else "closed",
                             result=None if open_ else "已答复", closed_at=None if open_ else at + timedelta(minutes=20),
                             closed_by_id=None if open_ else owner, incident_id=None,
                             verification_request_id=None, instruction_id=None,
                             version=1 if open_ else 2))
        for k in range(z.instructions):
            open_ = k >= z.instructions - 3
            at = now - timedelta(hours=3 * (z.instructions - k)) if open_ else self.spread(z.instructions, k) - timedelta(days=2)
            iid = self.next_id("instruction")
            L.put(Instruction, dict(id=iid, unit_id=1, leader_name=name(rng), given_at=at,
                                    channel="phone", text="请各单位加强值班值守，确保信息畅通", subject="加强值班",
                                    incident_id=None, state="passed_on" if open_ else "closed",
                                    recorded_by_id=officers[0], recorded_at=at, result=None if open_ else "已落实",
                                    reported_at=None if open_ else at + timedelta(days=1),
                                    reported_by_id=None if open_ else officers[0],
                                    closed_at=None if open_ else at + timedelta(days=1), version=3))
            L.put(InstructionTarget, dict(
                id=self.next_id("instruction_target"), instruction_id=iid,
                unit_id=rng.randrange(2, z.units + 1), person_id=None, passed_on_at=at + timedelta(minutes=10),
                passed_on_by_id=officers[0], feedback_due=at + timedelta(days=1),
                feedback_text=None if open_ else "已落实", fed_back_at=None if open_ else at + timedelta(hours=20),
                fed_back_by_id=None, version=1 if open_ else 2))
        for k in range(z.hotline):
            open_ = k >= z.hotline - 3
            at = now - timedelta(hours=5 * (z.hotline - k)) if open_ else self.spread(z.hotline, k) - timedelta(days=3)
            L.put(HotlineItem, dict(
                id=self.next_id("hotline_item"), unit_id=1, item_no=f"RX{k:08d}", content="市民反映路灯不亮",
                deadline=at + timedelta(days=3), received_at=at, received_by_id=officers[0],
                signed_at=at + timedelta(minutes=10), signed_by_id=officers[0],
                forwarded_to_person_id=None, forwarded_by_id=None, notified_at=None,
                done_at=None if open_ else at + timedelta(days=1), done_by_id=None if open_ else officers[0],
                result=None if open_ else "已办结", state="signed" if open_ else "done", version=2))

    def oversight(self) -> None:
        z, rng, L = self.z, self.rng, self.L
        by_month: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for k in range(z.inspections):
            at = self.spread(z.inspections, k) - timedelta(days=1)
            unit = rng.randrange(1, z.units + 1)
            ok = rng.random() < 0.9
            iid = self.next_id("inspection")
            L.put(Inspection, dict(
                id=iid, unit_id=unit, at=at, method=rng.choice(("phone", "on_site", "video")),
                phone_called=f"027-8390{unit:04d}", answered=True, answer_seconds=rng.randrange(3, 40),
                officer_present=True, officer_permanent=ok, log_book_complete=True, equipment_ok=True,
                findings="" if ok else "值班人员非在编人员", passed=ok, rectification_required=not ok,
                rectification_deadline=(at + timedelta(days=7)).date() if not ok else None,
                rectified_at=at + timedelta(days=5) if not ok else None,
                rectification_note="已整改" if not ok else None, rectified_by_id=None,
                inspector_user_id=1, created_at=at, version=1))
            local_day = at.astimezone(SHANGHAI).date()
            by_month.setdefault((local_day.year, local_day.month), []).append((iid, unit))
        months = sorted(by_month)[:-1]   # the current month's checks are not yet published
        for y, m in months:
            bid = self.next_id("bulletin")
            end = date(y + m // 12, m % 12 + 1, 1)
            L.put(Bulletin, dict(id=bid, number=f"柏办通〔{y}〕{m}号", title=f"{y}年{m}月值班检查情况通报",
                                 period_start=date(y, m, 1), period_end=end - timedelta(days=1),
                                 intro="", state="published", created_by_id=1,
                                 created_at=local(end, dtime(9)), published_at=local(end, dtime(10)),
                                 published_by_id=1, docx=None, version=2))
            for iid, unit in by_month[(y, m)]:
                L.put(BulletinInspection, dict(id=self.next_id("bulletin_inspection"), bulletin_id=bid,
                                               inspection_id=iid, unit_id=unit))
        for y in range(self.first_day.year, self.until.year + 1):
            for kind, mon in (("pre_job", 3), ("yearly", 10)):
                held = date(y, mon, 15)
                if not (self.first_day <= held <= self.until):
                    continue
                sid = self.next_id("training_session")
                L.put(TrainingSession, dict(id=sid, kind=kind, held_on=held, title=f"{y}年值班培训",
                                            trainer="区应急管理局", created_by_id=1,
                                            created_at=local(held, dtime(17))))
                for p in rng.sample(range(1, z.people + 1), min(100, z.people)):
                    L.put(TrainingAttendance, dict(id=self.next_id("training_attendance"), session_id=sid,
                                                   person_id=p, passed=True, recorded_by_id=1,
                                                   recorded_at=local(held, dtime(17))))

    # ------------------------------------------------------------ the audit trail
    def audit(self) -> None:
        z, rng, L = self.z, self.rng, self.L
        prev = GENESIS
        users = self.user_ids
        start = local(self.first_day, dtime(0))
        span = (self.now - timedelta(minutes=5) - start).total_seconds()
        step = span / z.audit
        for k in range(z.audit):
            at = start + timedelta(seconds=step * k, microseconds=k % 1000)
            uid = users[k % len(users)]
            action = AUDIT_ACTIONS[k % len(AUDIT_ACTIONS)]
            fields = dict(at=at, user_id=uid, username=None, role="duty_officer", client_ip="10.0.0.8",
                          action=action, object_type=action.split(".")[0], object_id=str(k % 9973),
                          outcome="success", details={"n": k % 7})
            fields["username"] = f"user{uid}"
            h = content_hash(prev, **fields)
            L.put(AuditEvent, dict(id=k + 1, **fields, prev_hash=prev, hash=h))
            prev = h
        del rng


def reset_sequences(engine) -> None:
    """Explicit ids leave PostgreSQL's sequences at 1: move each past its table's max."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for t in Base.metadata.sorted_tables:
            pk = list(t.primary_key.columns)
            if len(pk) != 1 or pk[0].name != "id":
                continue
            top = conn.execute(select(func.max(t.c.id))).scalar()
            if top is not None:   # table names come from the models, not from input
                conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, false)"),
                             {"t": t.name, "v": top + 1})


def generate(url: str, years: float = 1, scale: float = 1.0, seed: int = 7, until: date | None = None,
             chunk: int = 5000, migrate_first: bool = False, quiet: bool = False) -> dict:
    if migrate_first:
        from bench.incidents import migrate
        migrate(url)
    from services import clock
    now = clock.now()
    until = until or now.astimezone(SHANGHAI).date()
    if until != now.astimezone(SHANGHAI).date():
        now = local(until, dtime(15))
    engine = make_engine(url)
    with engine.connect() as c:
        if c.execute(select(func.count()).select_from(User.__table__)).scalar() \
                or c.execute(select(func.count()).select_from(AuditEvent.__table__)).scalar():
            raise SystemExit("the database is not empty: generate into a freshly migrated one")
    sizes = Sizes.of(years, scale)
    loader = Loader(engine, chunk)
    street = Street(loader, sizes, seed, until, now)
    timings = {}
    t0 = time.perf_counter()
    for part in ("organisation", "rosters", "incidents", "daily", "oversight", "audit"):
        before, t = loader.total, time.perf_counter()
        getattr(street, part)()
        loader.flush()
        took = time.perf_counter() - t
        rows = loader.total - before
        timings[part] = (rows, took)
        if not quiet:
            print(f"  {part:13s} {rows:>10,} rows {took:8.1f} s {rows / max(took, 1e-9):>10,.0f} rows/s",
                  flush=True)
    reset_sequences(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as c:
            c.exec_driver_sql("ANALYZE")
    total = time.perf_counter() - t0
    engine.dispose()
    result = dict(sizes=sizes, counts=dict(loader.counts), rows=loader.total, seconds=total,
                  parts=timings, chunks=loader.chunks)
    if not quiet:
        print(f"  total         {loader.total:>10,} rows {total:8.1f} s "
              f"{loader.total / total:>10,.0f} rows/s ({loader.chunks} chunks of ≤{chunk} rows/table)")
        for key in ("unit", "person", "app_user", "shift_officer", "incident", "incident_event",
                    "log_entry", "audit_event"):
            print(f"    {key:16s} {loader.counts.get(key, 0):>10,}")
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url", help="SQLAlchemy URL of a migrated, empty database")
    p.add_argument("--years", type=float, default=1)
    p.add_argument("--scale", type=float, default=1.0, help="shrink everything (0.05: a quick check)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--until", type=date.fromisoformat, default=None,
                   help="last day of the history (default today, Beijing); fixes the output")
    p.add_argument("--chunk", type=int, default=5000)
    p.add_argument("--migrate", action="store_true", help="run the migrations first")
    a = p.parse_args(argv if argv is not None else sys.argv[1:])
    generate(a.url, a.years, a.scale, a.seed, a.until, a.chunk, a.migrate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
