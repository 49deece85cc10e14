"""Compliance by article: for each measurable article and each unit, where the regulation
was not met in a period, with the records behind every figure.

The roster measures (第二、九、十条) are the staffing rules' own (rules/staffing.validate_roster
over each unit's published roster of each month, as services/roster_common.load_month
feeds it; a unit without a published roster for a month is uncovered for its days,
rules/staffing.coverage_gaps), but the facts are read for every unit and month of the period
at once: a constant number of queries whatever the number of units, months or years of
history. The training measure is the staffing rules' person_problems (第十六条).
"""
from __future__ import annotations

import hashlib
import json
import logging
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from sqlalchemy import and_, bindparam, case, func, null, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload

from models.incident import DeadlineRecord, Incident, VerificationRequest
from models.org import DutyPhoneFiling, Unit
from models.oversight import Inspection, RosterFindingMonth
from models.roster import CheckIn, Handover, Roster, Shift, ShiftOfficer, SpecialPeriodRow
from rules.deadlines import RECIPIENT_LABELS
from rules.staffing import (
    RULES, ShiftFacts, Violation, coverage_gaps, leader_reason, local_day, month_window,
    required_officers, shift_label,
)
from services import clock, view_cache
from services.errors import DatabaseUnavailable, ValidationError
from services.oversight.common import today, window
from services.oversight.training import flags_in
from services.permissions import Actor, require
from services.roster_common import NEIGHBOUR_MARGIN, load_calendar, period_of, years_of
from services.uow import after_reading, reading, transaction

log = logging.getLogger(__name__)
MAX_DAYS = 366

# code → (article, label); the order is the dashboard's.
MEASURES: dict[str, tuple[str, str]] = {
    "coverage_gap": ("第二、九条", "24小时值班有缺口"),
    "double_staffing": ("第九条", "双人值班期间单人值班"),
    "leader_missing": ("第十条", "节假日、敏感时期无领导带班"),
    "late_check_in": ("第十四条", "未提前10分钟到岗接班"),
    "unsigned_handover": ("第十四条", "交接班未双方签字"),
    "training_overdue": ("第十六条", "未岗前培训或年度培训逾期"),
    "failed_inspection": ("第十七条", "检查抽查不合格"),
    "rectification_overdue": ("第十七条", "逾期未整改"),
    "late_verification": ("第二十条", "核报反馈超时"),
    "late_report": ("第二十一条", "报告超过时限"),
    "duty_phone_unfiled": ("第二十三条", "值班电话变更未报备或未确认"),
}
# The dashboard's column of each measure, in its order: "label（article）".
_COLUMNS = {m: f"{label}（{article}）" for m, (article, label) in MEASURES.items()}
# What the roster rules read besides a unit's own shifts and rosters (services/roster_findings).
_BASIS_TABLES = ("holiday_day", "special_period", "special_period_unit")
_ROSTER_RULES = {"coverage_gap": "coverage_gap", "double_staffing_required": "double_staffing",
                 "shift_leader_required": "leader_missing"}


@dataclass(frozen=True)
class ComplianceRecord:
    """One record behind a figure: its kind (shift, day, check_in, handover, person,
    inspection, deadline, filing, unit), its id (None for a day without a shift) and why."""

    kind: str
    id: int | None
    day: date | None
    text: str
    reason: str = ""


@dataclass(frozen=True)
class ComplianceRow:
    measure: str
    article: str
    label: str
    unit_id: int
    unit_name: str
    records: tuple[ComplianceRecord, ...]

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def record_ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.records if r.id is not None)

    @property
    def met(self) -> bool:
        return not self.records


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _fmt(dt) -> str:
    return clock.fmt(dt, "%m-%d %H:%M")


def _staffing(unit_id: int, shifts: list[tuple[ShiftFacts, int | None]], periods, calendar,
              starts_at, ends_at) -> list[Violation]:
    """validate_roster's coverage_gap, double_staffing_required and shift_leader_required
    (rules/staffing._shift_rules) over the unit's shifts touching [starts_at, ends_at), each
    with its number of officers (None outside double-staffing periods, where it does not
    matter), in validate_roster's order, without the people and pair rules the dashboard
    does not count. The texts are the rules' own:
    tests/test_oversight.py compares them with load_month(...).violations()."""
    def violation(code: str, text: str, f: ShiftFacts) -> Violation:
        return Violation(code, RULES[code], f"{shift_label(f)}：{text}（{RULES[code]}）", f.id, None, f.day)

    found = coverage_gaps(unit_id, [f for f, _n in shifts], starts_at, ends_at)
    for f, officers in shifts:
        if f.unit_id != unit_id or not f.overlaps(starts_at, ends_at):
            continue
        needed, period = required_officers(f, periods)
        if officers and officers < needed:
            found.append(violation("double_staffing_required",
                                   f"处于{period.label}，须双人专职值班，现只安排了{officers}名值班员", f))
        if f.leader_id is None:
            reason = leader_reason(f, periods, calendar)
            if reason:
                found.append(violation("shift_leader_required", f"{reason}，须安排领导带班", f))
    return sorted(found, key=lambda v: (v.day or date.min, v.rule_code))


Finding = tuple[date, str, "int | None", str]   # day, rule code, shift id, text


def roster_violations(s: Session, unit_ids: list[int], start: date, end: date,
                      ) -> list[tuple[int, date, str, int | None, str]]:
    """(unit id, day, rule code, shift id, text) of the roster rules of the compliance
    measures (_ROSTER_RULES) on the local days start..end, month by month and unit by unit,
    computed from the facts (roster_findings reads what is kept of them)."""
    lo, hi = window(start, end)
    months = _months(start, end)
    found = _month_findings(s, unit_ids, months, lo, hi)
    return [(uid, *f) for y, m in months for uid in unit_ids for f in found.get((uid, y, m), ())
            if start <= f[0] <= end]


def _month_findings(s: Session, unit_ids: list[int], months: list[tuple[int, int]], lo, hi,
                    ) -> dict[tuple[int, int, int], list[Finding]]:
    """(unit id, year, month) → the findings of the roster rules of the compliance measures
    (_ROSTER_RULES) for the unit's month, of any day; a month without a published roster is
    uncovered within [lo, hi) only.

    What load_month(...).violations() finds for these rules, read in a few queries for all
    units and months together: those rules look only at the unit's own shifts touching the month
    (its published roster's and, for the nights at either end, any other of its shifts),
    the special periods and the holiday table, never at people. A shift lasts a day at
    most (the templates' 24 hours); NEIGHBOUR_MARGIN bounds the search as in load_month.
    """
    if not unit_ids or not months:
        return {}
    first_lo, last_hi = month_window(*months[0])[0], month_window(*months[-1])[1]
    near_lo, near_hi = first_lo - NEIGHBOUR_MARGIN, last_hi + NEIGHBOUR_MARGIN
    wanted = set(unit_ids)
    published: dict[tuple[int, int, int], int] = {}
    for rid, uid, year, month in s.execute(select(Roster.id, Roster.unit_id, Roster.year, Roster.month).where(
            Roster.status == "published", Roster.year >= months[0][0], Roster.year <= months[-1][0])):
        if uid in wanted and (year, month) in months:
            published[(uid, year, month)] = rid
    # Each published roster's first shift (where a unit's first month starts being checked).
    first_of = dict(s.execute(select(Shift.roster_id, func.min(Shift.starts_at)).where(
        Shift.roster_id.in_(list(published.values()) or [-1])).group_by(Shift.roster_id)).all())
    near = [Shift.unit_id.in_(unit_ids), Shift.starts_at >= near_lo - NEIGHBOUR_MARGIN,
            Shift.starts_at < near_hi, Shift.ends_at > near_lo]
    periods = [period_of(r) for r in s.execute(
        select(SpecialPeriodRow).options(selectinload(SpecialPeriodRow.units)).where(
            SpecialPeriodRow.starts_at < near_hi, SpecialPeriodRow.ends_at > near_lo)
        .order_by(SpecialPeriodRow.starts_at, SpecialPeriodRow.id)).scalars()]
    # How many officers a shift has matters only where a period asks for two (第九条):
    # counted there alone (a count per shift of the month was most of this statement's
    # time; (shift, person) is unique, so count is the number of different officers).
    doubled = [and_(Shift.starts_at < p.ends_at, Shift.ends_at > p.starts_at)
               for p in periods if p.double_staffing]
    officers = (case((or_(*doubled), select(func.count(ShiftOfficer.person_id))
                      .where(ShiftOfficer.shift_id == Shift.id).scalar_subquery()))
                if doubled else null())
    by_unit: dict[int, list[tuple[int, ShiftFacts, int | None]]] = defaultdict(list)
    for sid, rid, uid, starts_at, ends_at, leader, n in s.execute(
            select(Shift.id, Shift.roster_id, Shift.unit_id, Shift.starts_at, Shift.ends_at,
                   Shift.leader_person_id, officers).where(*near).order_by(Shift.starts_at, Shift.id)):
        by_unit[uid].append((rid, ShiftFacts(sid, uid, starts_at, ends_at, [], leader), n))
    calendar = load_calendar(s, years_of(near_lo, near_hi))
    starts = {uid: [f.starts_at for _r, f, _n in shifts] for uid, shifts in by_unit.items()}

    out: dict[tuple[int, int, int], list[Finding]] = {}
    for year, month in months:
        m_lo, m_hi = month_window(year, month)
        for uid in unit_ids:
            rid = published.get((uid, year, month))
            if rid is None:
                found = coverage_gaps(uid, [], max(m_lo, lo), min(m_hi, hi))
                suffix = "（本月无已发布的值班表）"
            else:
                shifts = by_unit[uid]   # those starting from two margins before the month on
                i = bisect_left(starts[uid], m_lo - 2 * NEIGHBOUR_MARGIN) if shifts else 0
                j = bisect_left(starts[uid], m_hi) if shifts else 0
                window_start = m_lo   # load_month: not blamed for the night before its first shift
                earlier = any(r != rid and f.starts_at < m_lo and f.ends_at > m_lo - NEIGHBOUR_MARGIN
                              for r, f, _n in shifts[i:j])
                if rid in first_of and not earlier and first_of[rid] > m_lo:
                    window_start = first_of[rid]
                mine = [(f, n) for _r, f, n in shifts[i:j] if f.overlaps(window_start, m_hi)]
                found = _staffing(uid, mine, periods, calendar, window_start, m_hi)
                suffix = ""
            out[(uid, year, month)] = [(v.day, v.rule_code, v.shift_id, v.message + suffix)
                                       for v in found if v.rule_code in _ROSTER_RULES and v.day is not None]
    return out


def roster_findings(s: Session, unit_ids: list[int], start: date, end: date,
                    ) -> list[tuple[int, date, str, int | None, str]]:
    """roster_violations(...), from the findings kept per unit and month
    (models.oversight.RosterFindingMonth): only the months a write marked stale, or never
    computed, or computed under other holidays or special periods, are computed again from
    the facts, and stored for the next reader (services/roster_findings says why a write
    committed meanwhile is never overwritten)."""
    months = _months(start, end)
    if not unit_ids or not months:
        return []
    basis = _basis(s)   # before the facts: what is stored must not claim a newer basis
    keys = [(uid, y, m) for y, m in months for uid in unit_ids]
    row_of = {(r.unit_id, r.year, r.month): r for r in s.execute(
        select(RosterFindingMonth.unit_id, RosterFindingMonth.year, RosterFindingMonth.month,
               RosterFindingMonth.version, RosterFindingMonth.basis, RosterFindingMonth.findings)
        .where(RosterFindingMonth.unit_id.in_(unit_ids),
               (RosterFindingMonth.year * 100 + RosterFindingMonth.month).between(months[0][0] * 100 + months[0][1], months[-1][0] * 100 + months[-1][1])))}
    kept: dict[tuple[int, int, int], list[Finding]] = {}
    for key in keys:
        r = row_of.get(key)
        if r is not None and r.findings is not None and r.basis == basis:
            kept[key] = [(date.fromisoformat(d), rule, sid, text) for d, rule, sid, text in json.loads(r.findings)]
    stale = [k for k in keys if k not in kept]
    if stale:
        todo_months = sorted({(y, m) for _u, y, m in stale})
        lo, hi = month_window(*todo_months[0])[0], month_window(*todo_months[-1])[1]
        computed = _month_findings(s, sorted({u for u, _y, _m in stale}), todo_months, lo, hi)
        fresh = {k: computed.get(k, []) for k in stale}
        kept |= fresh
        seen = {k: row_of[k].version for k in fresh if k in row_of}
        after_reading(s, lambda: _store(fresh, seen, basis))
    return [(uid, *f) for uid, y, m in keys for f in kept[(uid, y, m)] if start <= f[0] <= end]


def _basis(s: Session) -> str:
    """The holiday table's and the special periods' data versions, as one digest."""
    tokens = view_cache.data_versions(s)
    return hashlib.sha256("|".join(tokens.get(t) or "" for t in _BASIS_TABLES).encode()).hexdigest()


def _encode(found: list[Finding]) -> str:
    return json.dumps([(d.isoformat(), rule, sid, t) for d, rule, sid, t in found], ensure_ascii=False)


def _store(fresh: dict[tuple[int, int, int], list[Finding]], seen: dict[tuple[int, int, int], int],
           basis: str) -> None:
    """Keep what was computed, each month only under the version it was computed from.
    Only a help to the next reader: a database too busy to take it now leaves it uncomputed."""
    table = RosterFindingMonth.__table__
    new = [{"unit_id": u, "year": y, "month": m, "version": 0, "basis": basis, "findings": _encode(f)}
           for (u, y, m), f in fresh.items() if (u, y, m) not in seen]
    marked = [{"u": u, "y": y, "m": m, "v": v, "basis": basis, "findings": _encode(fresh[(u, y, m)])}
              for (u, y, m), v in seen.items()]
    # On the connection, not through the Session: what a reader stores agrees with the facts
    # any kept read model was computed from, so it moves no data version (services/view_cache).
    try:
        with transaction() as w:
            insert = pg_insert if w.get_bind().dialect.name == "postgresql" else sqlite_insert
            if new:
                w.connection().execute(insert(table).values(new).on_conflict_do_nothing(
                    index_elements=["unit_id", "year", "month"]))
            if marked:
                w.connection().execute(update(table).where(
                    table.c.unit_id == bindparam("u"), table.c.year == bindparam("y"),
                    table.c.month == bindparam("m"), table.c.version == bindparam("v")), marked)
    except (OperationalError, DatabaseUnavailable) as exc:
        log.warning("roster findings not kept: %s", exc)


def compliance(actor: Actor, start: date, end: date) -> tuple[ComplianceRow, ...]:
    """Rows per measure × active unit for the local days start..end (inclusive), with the
    records behind each figure, the same for every office user."""
    return _read(actor, start, end, counting=False)


@dataclass(frozen=True)
class ComplianceCounts:
    """The dashboard's figures without the records behind them: (unit id, name) in the
    dashboard's order and the number of records per (measure, unit id)."""

    units: tuple[tuple[int, str], ...]
    counts: tuple[tuple[tuple[str, int], int], ...]

    @cached_property
    def _totals(self) -> Counter:
        """Per measure, and the whole under None (asked for once per measure per page run)."""
        out = Counter()
        for (m, _u), n in self.counts:
            out[m] += n
            out[None] += n
        return out

    def total(self, measure: str | None = None) -> int:
        return self._totals[measure]

    def matrix(self) -> list[dict]:
        """As matrix(compliance(...)): one line per unit, one column per measure."""
        by = dict(self.counts)
        return [{"单位": name, **{column: by.get((m, uid), 0) for m, column in _COLUMNS.items()}}
                for uid, name in self.units]


def compliance_counts(actor: Actor, start: date, end: date) -> ComplianceCounts:
    """The figures of compliance(...), counted where the records are (the database counts
    late check-ins, unsigned handovers, failed checks and late clocks), for the dashboard
    before a measure's records are asked for."""
    return _read(actor, start, end, counting=True)


def _read(actor: Actor, start: date, end: date, counting: bool):
    """Computed again only when the data changed or the minute did (what is overdue
    depends on the time)."""
    if start is None or end is None or end < start:
        raise ValidationError(["统计期间：结束日期不能早于开始日期"])
    if (end - start).days >= MAX_DAYS:
        raise ValidationError([f"统计期间：不能超过{MAX_DAYS}天"])
    with reading() as s:
        require(actor, "compliance.read")
        minute = clock.now().replace(second=0, microsecond=0)
        return view_cache.cached(s, ("compliance", counting, start, end, minute),
                                 lambda: _compliance(s, start, end, counting))


# The records of each measure the database can count: one query for the records and,
# wrapped, for their number per unit (the same WHERE either way).

def _late_check_ins(lo, hi):
    return (select(CheckIn.id, CheckIn.at, Shift.unit_id, Shift.starts_at)
            .join(Shift, Shift.id == CheckIn.shift_id)
            .where(CheckIn.late.is_(True), CheckIn.at >= lo, CheckIn.at < hi))


def _unsigned_handovers(lo, hi, now, dialect: str):
    return (select(Shift.id, Shift.unit_id, Shift.starts_at, Shift.ends_at)
            .join(Roster, Roster.id == Shift.roster_id)
            .where(Roster.status == "published", Shift.ends_at >= lo, Shift.ends_at < hi,
                   Shift.ends_at <= now, _not_signed(dialect)))


def _not_signed(dialect: str):
    """The shift's handover is not signed, answered from the partial index of signed
    handovers (0015) without reading a handover's row. NOT EXISTS, not NOT IN: PostgreSQL
    re-ran the NOT IN subquery per shift. SQLite's planner takes a unique index for an
    equality before weighing others (then reads each handover for its state, ~2× the
    time): INDEXED BY names the partial index there, a clause SQLAlchemy does not render."""
    if dialect == "sqlite":
        return sql_text("NOT EXISTS (SELECT 1 FROM handover INDEXED BY ix_handover_signed_outgoing "
                        "WHERE handover.outgoing_shift_id = shift.id AND handover.state = 'signed')")
    return ~select(Handover.id).where(Handover.outgoing_shift_id == Shift.id,
                                      Handover.state == "signed").exists()


def _failed_inspections(lo, hi):
    return (select(Inspection.id, Inspection.unit_id, Inspection.at, Inspection.findings)
            .where(Inspection.at >= lo, Inspection.at < hi, Inspection.passed.is_(False)))


def _late_clocks(lo, hi, now):
    """Clocks due in the period met late, or past due and still open (第二十、二十一条)."""
    late = or_(DeadlineRecord.satisfied_at > DeadlineRecord.due_at,
               and_(DeadlineRecord.satisfied_at.is_(None), DeadlineRecord.due_at < now))
    measure = case((DeadlineRecord.kind == "verification", "late_verification"), else_="late_report")
    return (select(DeadlineRecord.id, DeadlineRecord.unit_id, measure.label("measure"),
                   DeadlineRecord.kind, DeadlineRecord.recipient, DeadlineRecord.due_at,
                   DeadlineRecord.satisfied_at, DeadlineRecord.late_reason,
                   Incident.title, VerificationRequest.content)
            .outerjoin(Incident, Incident.id == DeadlineRecord.incident_id)
            .outerjoin(VerificationRequest, VerificationRequest.id == DeadlineRecord.verification_request_id)
            .where(DeadlineRecord.due_at >= lo, DeadlineRecord.due_at < hi, late))


def _counted(s: Session, q, measure) -> dict[tuple[str, int], int]:
    """{(measure, unit id): number of q's rows}; `measure` a code or a column of q's."""
    sub = q.subquery()
    if measure in sub.c:
        return {(m, uid): n for m, uid, n in s.execute(
            select(sub.c[measure], sub.c.unit_id, func.count()).group_by(sub.c[measure], sub.c.unit_id))}
    return {(measure, uid): n for uid, n in s.execute(
        select(sub.c.unit_id, func.count()).group_by(sub.c.unit_id))}


def _compliance(s: Session, start: date, end: date, counting: bool):
    """compliance(...)'s rows, or when `counting` its ComplianceCounts: the measures the
    database can count are counted there; the others (the roster rules, training, overdue
    rectification, duty phones) are worked out either way and counted here."""
    lo, hi = window(start, end)
    now, dialect = clock.now(), s.get_bind().dialect.name
    units = list(s.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.id)))
    found: dict[tuple[str, int], list[ComplianceRecord]] = defaultdict(list)
    counted: dict[tuple[str, int], int] = {}

    # 第二、九、十条: the published rosters, checked by the roster rules. Kept apart (they do
    # not depend on the time, and are most of the work): the dashboard is computed again
    # each minute and after check-ins, reports or inspections; these only when a shift,
    # roster, period or holiday is written (a shift starting on check-in included).
    unit_ids = tuple(u.id for u in units)
    for unit_id, day, kind, shift_id, text in view_cache.cached(
            s, ("roster_violations", unit_ids, start, end),
            lambda: tuple(roster_findings(s, list(unit_ids), start, end))):
        found[(_ROSTER_RULES[kind], unit_id)].append(ComplianceRecord(
            "shift" if shift_id is not None else "day", shift_id, day, text))

    # 第十四条: late check-ins, and ended shifts of published rosters without a signed handover.
    # 第十七条: failed checks. 第二十、二十一条: clocks met late, or past due and still open.
    if counting:
        counted |= _counted(s, _late_check_ins(lo, hi), "late_check_in")
        counted |= _counted(s, _unsigned_handovers(lo, hi, now, dialect), "unsigned_handover")
        counted |= _counted(s, _failed_inspections(lo, hi), "failed_inspection")
        counted |= _counted(s, _late_clocks(lo, hi, now), "measure")
    else:
        for ci_id, at, unit_id, starts_at in s.execute(_late_check_ins(lo, hi).order_by(CheckIn.at)):
            found[("late_check_in", unit_id)].append(ComplianceRecord(
                "check_in", ci_id, local_day(at),
                f"班次{_fmt(starts_at)}开始，{_fmt(at)}签到，晚于提前10分钟到岗的要求"))
        for shift_id, unit_id, starts_at, ends_at in s.execute(
                _unsigned_handovers(lo, hi, now, dialect).order_by(Shift.ends_at)):
            found[("unsigned_handover", unit_id)].append(ComplianceRecord(
                "shift", shift_id, local_day(ends_at),
                f"{_fmt(starts_at)}–{_fmt(ends_at)}班次结束时未完成双方签字的交接班"))
        for ins_id, unit_id, at, findings in s.execute(_failed_inspections(lo, hi).order_by(Inspection.at)):
            found[("failed_inspection", unit_id)].append(ComplianceRecord(
                "inspection", ins_id, local_day(at), f"{_fmt(at)}检查不合格：{findings}"))
        for d in s.execute(_late_clocks(lo, hi, now).order_by(DeadlineRecord.due_at)):
            what = (d.content or d.title or "") if d.kind == "verification" else (d.title or "")
            recipient = RECIPIENT_LABELS.get(d.recipient, d.recipient)
            done = f"{_fmt(d.satisfied_at)}完成" if d.satisfied_at else "至今未完成"
            reason = (d.late_reason or "").strip()
            found[(d.measure, d.unit_id)].append(ComplianceRecord(
                "deadline", d.id, local_day(d.due_at),
                f"{what[:40]}：报{recipient}应于{_fmt(d.due_at)}前，{done}"
                f"；原因：{reason or '未说明'}", reason))

    # 第十六条: training as of the period's end (or today, if earlier).
    for f in flags_in(s, min(end, today())):
        found[("training_overdue", f.unit_id)].append(ComplianceRecord(
            "person", f.person_id, None, f.message))

    # 第十七条: rectification overdue.
    for ins in s.execute(select(Inspection).where(
            Inspection.rectification_required.is_(True),
            Inspection.rectification_deadline >= start, Inspection.rectification_deadline <= end)
            .order_by(Inspection.rectification_deadline)).scalars():
        done = clock.local(ins.rectified_at).date() if ins.rectified_at else None
        if (done is None and ins.rectification_deadline < today()) or \
                (done is not None and done > ins.rectification_deadline):
            found[("rectification_overdue", ins.unit_id)].append(ComplianceRecord(
                "inspection", ins.id, ins.rectification_deadline,
                f"整改期限{ins.rectification_deadline.isoformat()}，"
                + (f"{done.isoformat()}才完成整改" if done else "至今未完成整改")))

    # 第二十三条: filings not acknowledged; a phone that differs from its last filing.
    for f in s.execute(select(DutyPhoneFiling).where(
            DutyPhoneFiling.acknowledged_at.is_(None), DutyPhoneFiling.filed_at < hi)
            .order_by(DutyPhoneFiling.filed_at)).scalars():
        found[("duty_phone_unfiled", f.unit_id)].append(ComplianceRecord(
            "filing", f.id, local_day(f.filed_at),
            f"值班电话由{f.old_phone or '无'}变更为{f.new_phone}，党政办尚未确认备案"))
    latest = (select(DutyPhoneFiling.unit_id, func.max(DutyPhoneFiling.id).label("fid"))
              .group_by(DutyPhoneFiling.unit_id).subquery())
    for u, phone in s.execute(select(Unit, DutyPhoneFiling.new_phone)
                              .join(latest, latest.c.unit_id == Unit.id)
                              .join(DutyPhoneFiling, DutyPhoneFiling.id == latest.c.fid)
                              .where(Unit.active.is_(True))).all():
        if (u.duty_phone or "") != (phone or ""):
            found[("duty_phone_unfiled", u.id)].append(ComplianceRecord(
                "unit", u.id, None,
                f"现用值班电话{u.duty_phone or '无'}与备案号码{phone}不一致，变更未报备"))

    names = {u.id: u.name for u in units}
    counted |= {k: len(v) for k, v in found.items() if v}
    extra = {uid for _m, uid in counted if uid not in names}
    if extra:
        names |= dict(s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(extra))).all())
    order = [u.id for u in units] + sorted(extra)
    if counting:
        return ComplianceCounts(tuple((uid, names[uid]) for uid in order),
                                tuple(sorted((k, n) for k, n in counted.items() if n)))
    out = []
    for measure, (article, label) in MEASURES.items():
        for uid in order:
            records = found.get((measure, uid), [])
            if uid in extra and not records:
                continue
            out.append(ComplianceRow(measure, article, label, uid, names[uid],
                                     tuple(sorted(records, key=lambda r: (r.day or date.min, r.id or 0)))))
    return tuple(out)


def matrix(rows: list[ComplianceRow]) -> list[dict]:
    """The dashboard table: one line per unit, one column per measure (article + label)."""
    by_unit: dict[int, dict] = {}
    for r in rows:
        line = by_unit.setdefault(r.unit_id, {"单位": r.unit_name})
        line[_COLUMNS[r.measure]] = r.count
    return list(by_unit.values())


RECORD_KIND_LABELS = {"shift": "班次", "day": "日期", "check_in": "签到", "handover": "交接班",
                      "person": "人员", "inspection": "检查", "deadline": "报告时限",
                      "filing": "值班电话报备", "unit": "单位"}


def drill_down(rows: list[ComplianceRow], measure: str | None = None,
               unit_id: int | None = None) -> list[dict]:
    """The records behind the figures, for a table or an .xlsx."""
    return [{"条款": r.article, "事项": r.label, "单位": r.unit_name,
             "记录类型": RECORD_KIND_LABELS.get(rec.kind, rec.kind),
             "记录编号": rec.id if rec.id is not None else "", "日期": rec.day.isoformat() if rec.day else "",
             "情况": rec.text}
            for r in rows if (measure is None or r.measure == measure)
            and (unit_id is None or r.unit_id == unit_id) for rec in r.records]
