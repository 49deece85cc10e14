"""What the roster, roster-file and shift services share: loading rows, mapping them onto
the pure rule facts (rules/staffing.py), and the month context a check needs.

The month context is loaded in a constant number of queries whatever the month's size:
unit, roster, its shifts with their officers (one statement, read as ShiftRecord rows),
people, neighbouring shifts with their officers (one statement), special periods (+units)
and the holiday table.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import NamedTuple, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.org import Person, Unit
from models.roster import HolidayDay, Roster, Shift, ShiftOfficer, SpecialPeriodRow
from rules.calendar import HolidayCalendar, unpublished_warning
from rules.staffing import (
    DEFAULT_MIN_REST_HOURS, EMPLOYMENTS, LONGEST_SHIFT, SHANGHAI, TEMPLATE_SETS, PersonFacts, ShiftFacts,
    ShiftTemplate, SpecialPeriod, Violation, local_day, month_days, month_window, validate_roster,
)
from services import clock
from services.errors import ConcurrentEditError, DomainError, NotFound

M = TypeVar("M")

TEMPLATE_SET_LABELS = {"full_day": "24小时班（08:30–次日08:30）", "day_night": "白班＋夜班"}
TEMPLATES: dict[str, ShiftTemplate] = {t.code: t for ts in TEMPLATE_SETS.values() for t in ts}
ROSTER_STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
# Shifts this close to a window still count for overlaps and rest (第九、二十四条).
NEIGHBOUR_MARGIN = timedelta(days=2)
PAIR_RULES = frozenset({"overlapping_shifts", "rest_too_short"})


class RosterViolations(DomainError):
    """A refusal because of rule violations; `violations` lists them for the page."""

    def __init__(self, lead: str, violations: list[Violation]):
        shown = [v.message for v in violations[:20]]
        more = f"；……共{len(violations)}处" if len(violations) > 20 else ""
        super().__init__(f"{lead}：" + "；".join(shown) + more)
        self.violations = violations


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str


def min_rest_hours() -> float:
    """The rest rule between a person's shifts (第二十四条); DUTYDESK_MIN_REST_HOURS overrides."""
    raw = os.environ.get("DUTYDESK_MIN_REST_HOURS")
    return float(raw) if raw not in (None, "") else float(DEFAULT_MIN_REST_HOURS)


def today() -> date:
    return clock.local(clock.now()).date()


def load_for_edit(s: Session, model: type[M], record_id: int, version: int | None, what: str) -> M:
    """The record the page loaded, provided nobody saved it since (optimistic locking)."""
    obj = s.get(model, record_id)
    if obj is None:
        raise NotFound(f"{what}不存在")
    if version is not None and obj.version != version:
        raise ConcurrentEditError()
    return obj


def get_or_404(s: Session, model: type[M], record_id: int, what: str) -> M:
    obj = s.get(model, record_id)
    if obj is None:
        raise NotFound(f"{what}不存在")
    return obj


def check_month(year: int, month: int) -> None:
    if not (2000 <= int(year) <= 2100):
        raise DomainError("年份：应在2000–2100之间", field="year")
    if not (1 <= int(month) <= 12):
        raise DomainError("月份：应在1–12之间", field="month")


def templates_of(template_set: str) -> tuple[ShiftTemplate, ...]:
    if template_set not in TEMPLATE_SETS:
        raise DomainError("班次模板：应为" + "、".join(TEMPLATE_SET_LABELS.values()) + "之一",
                          field="template_set")
    return TEMPLATE_SETS[template_set]


def slots(year: int, month: int, template_set: str) -> list[tuple[datetime, datetime, str]]:
    """The month's shift slots (starts_at, ends_at, template code) in UTC, in time order."""
    out = []
    for day in month_days(year, month):
        for t in templates_of(template_set):
            starts_at = datetime.combine(day, t.start, SHANGHAI).astimezone(timezone.utc)
            out.append((starts_at, starts_at + t.duration, t.code))
    return sorted(out)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI).astimezone(timezone.utc)


# ---------------------------------------------------------------- rows → facts

def person_facts(p: Person) -> PersonFacts:
    # Training dates are carried on the person until the oversight issue brings training
    # records (第十六条); this is the one place to switch to them.
    return PersonFacts(p.id, p.name, p.employment, bool(p.can_lead_shift),
                       p.pre_job_trained_on, p.yearly_trained_on, bool(p.active))


def shift_facts(sh: Shift | ShiftRecord) -> ShiftFacts:
    return ShiftFacts(sh.id, sh.unit_id, sh.starts_at, sh.ends_at, list(sh.officer_ids),
                      sh.leader_person_id)


class ShiftRecord(NamedTuple):
    """A shift as a month's check and its pages read it: the row and its duty officers (in
    the order they were put on), without the mapped object. A month is 30–62 shifts and
    about twice as many officers: as mapped objects (identity, instrumented attributes,
    a second statement for the officers) they cost more than the rules run over them."""

    id: int
    roster_id: int
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    template_code: str
    leader_person_id: int | None
    state: str
    version: int
    officer_ids: tuple[int, ...]


_RECORD_COLUMNS = (Shift.id, Shift.roster_id, Shift.unit_id, Shift.starts_at, Shift.ends_at,
                   Shift.template_code, Shift.leader_person_id, Shift.state, Shift.version)


def shift_records(s: Session, *where) -> list[ShiftRecord]:
    """The shifts matching `where`, in time order, each with its officers: one statement."""
    rows = s.execute(select(*_RECORD_COLUMNS, ShiftOfficer.person_id)
                     .outerjoin(ShiftOfficer, ShiftOfficer.shift_id == Shift.id).where(*where)
                     .order_by(Shift.starts_at, Shift.id, ShiftOfficer.id)).all()
    shifts: list[tuple[tuple, list[int]]] = []      # (the shift's columns, its officers)
    for row in rows:
        if not shifts or shifts[-1][0][0] != row[0]:
            shifts.append((tuple(row[:9]), []))
        if row[9] is not None:
            shifts[-1][1].append(row[9])
    return [ShiftRecord(*columns, tuple(officers)) for columns, officers in shifts]


def employment_label(code: str) -> str:
    return EMPLOYMENTS.get(code, code)


def hard_refusal(p: Person | None, unit: Unit, pid: int, role: str) -> str | None:
    """Who may never be put on a shift at all: unknown, another unit's, inactive, or not
    permanent staff (第九条). Training and the other rules are shown, not refused."""
    if p is None:
        return f"{role}：编号{pid}的人员不存在"
    if p.unit_id != unit.id:
        return f"{role}：{p.name}不是{unit.name}的人员，只能安排本单位人员值班（第二条）"
    if not p.active:
        return f"{role}：{p.name}已停用，不得安排值班（第九条）"
    if p.employment != "permanent":
        return f"{p.name}为{employment_label(p.employment)}，不得安排值班（第九条）"
    return None


# ---------------------------------------------------------------- reference data

def load_calendar(s: Session, years: Iterable[int]) -> HolidayCalendar:
    years = sorted(set(years))
    if not years:
        return HolidayCalendar()
    rows = s.execute(select(HolidayDay.day, HolidayDay.kind, HolidayDay.name).where(
        HolidayDay.day >= date(years[0], 1, 1), HolidayDay.day <= date(years[-1], 12, 31))).all()
    return HolidayCalendar((d, k, n) for d, k, n in rows if d.year in years)


def period_of(row: SpecialPeriodRow) -> SpecialPeriod:
    unit_ids = None if row.all_units else frozenset(u.id for u in row.units)
    return SpecialPeriod(row.kind, row.starts_at, row.ends_at, unit_ids,
                         bool(row.double_staffing), bool(row.leaders_on_duty))


def load_periods(s: Session, starts_at: datetime, ends_at: datetime) -> list[SpecialPeriod]:
    rows = s.execute(select(SpecialPeriodRow).where(
        SpecialPeriodRow.starts_at < ends_at, SpecialPeriodRow.ends_at > starts_at)
        .order_by(SpecialPeriodRow.starts_at, SpecialPeriodRow.id)).scalars()
    return [period_of(r) for r in rows]


def years_of(starts_at: datetime, ends_at: datetime) -> set[int]:
    first, last = clock.local(starts_at).year, clock.local(ends_at).year
    return set(range(first, last + 1))


def officer_of(person_ids: Iterable[int], lo: datetime, hi: datetime | None = None):
    """Shift.id IN the shifts one of `person_ids` is a duty officer of, for a query of shifts
    overlapping [lo, hi) (hi None: open-ended).

    Bounded by the ids of the shifts ending in (lo, hi + LONGEST_SHIFT), a superset of those
    overlapping the window whatever order ids were given in, so the (person_id, shift_id)
    index reads the window and not the person's whole history (ten years: hundreds of shifts
    a person, 14,600 for a unit's twenty)."""
    ending = [Shift.ends_at > lo] + ([Shift.ends_at < hi + LONGEST_SHIFT] if hi is not None else [])
    # id + 0: PostgreSQL would otherwise walk the primary key for min(id) and test each
    # shift's end time (360,000 rows on the 10-year street) instead of the ends_at range.
    first_id = select(func.min(Shift.id + 0)).where(*ending).scalar_subquery()
    last_id = select(func.max(Shift.id + 0)).where(*ending).scalar_subquery()
    return Shift.id.in_(select(ShiftOfficer.shift_id).where(
        ShiftOfficer.person_id.in_(list(person_ids)), ShiftOfficer.shift_id.between(first_id, last_id)))


def overlapping(lo: datetime, hi: datetime):
    """Shifts overlapping [lo, hi), with the lower bound on starts_at that lets the
    (unit_id | leader_person_id, starts_at) indexes read only the window."""
    return [Shift.starts_at < hi, Shift.ends_at > lo, Shift.starts_at > lo - LONGEST_SHIFT]


def _near(unit_id: int, person_ids: Iterable[int], starts_at: datetime, ends_at: datetime,
          exclude_roster_id: int | None = None, exclude_shift_ids: Iterable[int] = ()) -> list:
    """The conditions of neighbour_shifts: the unit's shifts, and its people's anywhere."""
    pids = list(set(person_ids))
    lo, hi = starts_at - NEIGHBOUR_MARGIN, ends_at + NEIGHBOUR_MARGIN
    who = [Shift.unit_id == unit_id]
    if pids:
        who += [Shift.leader_person_id.in_(pids), officer_of(pids, lo, hi)]
    where = [*overlapping(lo, hi), or_(*who)]
    if exclude_roster_id is not None:
        where.append(Shift.roster_id != exclude_roster_id)
    excluded = list(exclude_shift_ids)
    if excluded:
        where.append(Shift.id.not_in(excluded))
    return where


def neighbour_shifts(s: Session, unit_id: int, person_ids: Iterable[int],
                     starts_at: datetime, ends_at: datetime,
                     exclude_roster_id: int | None = None,
                     exclude_shift_ids: Iterable[int] = ()) -> list[Shift]:
    """The unit's shifts, and its people's shifts anywhere, near [starts_at, ends_at)."""
    where = _near(unit_id, person_ids, starts_at, ends_at, exclude_roster_id, exclude_shift_ids)
    return list(s.execute(select(Shift).where(*where).order_by(Shift.starts_at)).scalars())


# ---------------------------------------------------------------- the month context

@dataclass
class MonthContext:
    unit: Unit
    year: int
    month: int
    roster: Roster | None
    shifts: list[ShiftRecord]
    neighbours: list[ShiftRecord]
    persons: dict[int, Person]
    periods: list[SpecialPeriod]
    calendar: HolidayCalendar
    window: tuple[datetime, datetime]
    warnings: list[str] = field(default_factory=list)

    @property
    def people(self) -> dict[int, PersonFacts]:
        return {pid: person_facts(p) for pid, p in self.persons.items()}

    @cached_property
    def facts(self) -> list[ShiftFacts]:
        """The month's shifts as the rules see them, made once for the check and the page."""
        return [shift_facts(sh) for sh in self.shifts]

    def violations(self, rest_hours: float | None = None) -> list[Violation]:
        """Every violation of the month, and the overlap and rest pairs (第九、二十四条) its
        last shifts form with the next month's first ones: the rules report a pair on the
        later shift, and a change to this month must not break a month already planned."""
        rest = rest_hours or min_rest_hours()
        people = self.people
        mine = self.facts
        others = [shift_facts(sh) for sh in self.neighbours]
        found = validate_roster(self.unit.id, mine + others, people, self.periods, self.calendar,
                                *self.window, min_rest_hours=rest)
        after = (self.window[1], self.window[1] + NEIGHBOUR_MARGIN)
        if mine and any(f.unit_id == self.unit.id and f.starts_at >= after[0] for f in others):
            key = lambda v: (v.rule_code, v.shift_id, v.person_id)  # noqa: E731
            emptied = [ShiftFacts(f.id, f.unit_id, f.starts_at, f.ends_at) for f in mine]
            pairs = lambda facts: [v for v in validate_roster(  # noqa: E731
                self.unit.id, facts, people, self.periods, self.calendar, *after,
                min_rest_hours=rest) if v.rule_code in PAIR_RULES and v.day and v.day >= local_day(after[0])]
            without = {key(v) for v in pairs(emptied + others)}
            found += [v for v in pairs(mine + others) if key(v) not in without]
        return found


def load_month(s: Session, unit_id: int, year: int, month: int) -> MonthContext:
    """Everything the staffing rules need for a unit's month, in a constant number of queries."""
    check_month(year, month)
    unit = get_or_404(s, Unit, unit_id, "单位")
    roster = s.execute(select(Roster).where(Roster.unit_id == unit_id, Roster.year == year,
                                            Roster.month == month)).scalar_one_or_none()
    shifts = shift_records(s, Shift.roster_id == roster.id) if roster else []
    month_start, month_end = month_window(year, month)
    span_end = max([month_end, *(sh.ends_at for sh in shifts)])
    persons = {p.id: p for p in s.execute(select(Person).where(Person.unit_id == unit_id)).scalars()}
    on_shifts = {pid for sh in shifts for pid in (*sh.officer_ids, sh.leader_person_id) if pid}
    neighbours = shift_records(s, *_near(unit_id, set(persons) | on_shifts, month_start, span_end,
                                         exclude_roster_id=roster.id if roster else None))
    missing = {pid for sh in neighbours for pid in (*sh.officer_ids, sh.leader_person_id)
               if pid and pid not in persons} | (on_shifts - set(persons))
    if missing:
        persons |= {p.id: p for p in s.execute(select(Person).where(Person.id.in_(missing))).scalars()}
    periods = load_periods(s, month_start - NEIGHBOUR_MARGIN, span_end + NEIGHBOUR_MARGIN)
    calendar = load_calendar(s, years_of(month_start - NEIGHBOUR_MARGIN, span_end + NEIGHBOUR_MARGIN))
    # The first month in the system is not blamed for the night before its first shift:
    # without any earlier shift of the unit, the check starts at the first shift.
    window_start = month_start
    earlier = any(sh.unit_id == unit_id and sh.starts_at < month_start for sh in neighbours)
    if shifts and not earlier and shifts[0].starts_at > month_start:
        window_start = shifts[0].starts_at
    warnings = [unpublished_warning(y) for y in calendar.unpublished_years({year})]
    return MonthContext(unit, year, month, roster, shifts, neighbours, persons, periods, calendar,
                        (window_start, month_end), warnings)


def local_violations(s: Session, unit_id: int, changed: list[ShiftFacts],
                     exclude_shift_ids: Iterable[int] = (),
                     also_people: Iterable[int] = ()) -> list[Violation]:
    """The violations a few changed shifts take part in: their own, and the overlap and
    rest pairs (第九、二十四条) their people form with neighbouring shifts, whichever of
    the pair is the later one."""
    start = min(f.starts_at for f in changed)
    end = max(f.ends_at for f in changed)
    changed_people = {pid for f in changed for pid in f.people()} | set(also_people)
    others = [shift_facts(o) for o in neighbour_shifts(s, unit_id, changed_people, start, end,
                                                       exclude_shift_ids=exclude_shift_ids)]
    pids = changed_people | {pid for f in others for pid in f.people()}
    people = {p.id: person_facts(p) for p in s.execute(
        select(Person).where(Person.id.in_(pids))).scalars()} if pids else {}
    window = (start - NEIGHBOUR_MARGIN, end + NEIGHBOUR_MARGIN)
    periods = load_periods(s, *window)
    calendar = load_calendar(s, years_of(*window))
    rest = min_rest_hours()
    found = validate_roster(unit_id, [*changed, *others], people, periods, calendar, *window,
                            min_rest_hours=rest)
    # A pair is the changed shifts' when it disappears with their people.
    emptied = [ShiftFacts(f.id, f.unit_id, f.starts_at, f.ends_at) for f in changed]
    key = lambda v: (v.rule_code, v.shift_id, v.person_id)  # noqa: E731
    without = {key(v) for v in validate_roster(unit_id, [*emptied, *others], people, periods,
                                               calendar, *window, min_rest_hours=rest)
               if v.rule_code in PAIR_RULES}
    ids = {f.id for f in changed}
    return [v for v in found if v.shift_id in ids
            or (v.rule_code in PAIR_RULES and key(v) not in without)]
