"""Roster rules: who may be on duty, and what every shift needs.

Pure functions over plain dataclasses; the services map ORM rows onto them. Each
rule cites its article in its code, its message and its test:

- 第九条   permanent staff only (正式在编人员; never temporary, nor contract staff);
           two duty officers (双人专职) in a double-staffing period; one person holds
           one post at a time;
- 第十六条 pre-job training before the first duty, training within the last 12 months;
- 第二条、第九条 24-hour cover of every local day, per unit;
- 第十条   a shift leader (带班领导) on statutory holidays and in leaders-on-duty periods;
- 第二十四条 rest for duty and shift-leading staff: a minimum gap between a person's shifts.

The shift leader is a role of its own, not one of the duty officers: 第九条 wants the
officers 专职 (doing nothing else), so one person may not hold both roles in a shift.

Times are timezone-aware; "a day" is a calendar day in Asia/Shanghai.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from rules.calendar import HolidayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_MIN_REST_HOURS = 8

EMPLOYMENTS = {"permanent": "正式在编人员", "contract": "编外人员", "temporary": "临时人员"}
PERIOD_KINDS = {"flood_season": "防汛期", "sensitive": "特殊敏感时期", "major_incident": "重大突发事件期间"}
# What each kind requires unless the office says otherwise: 第九条 doubles the staff in
# all three; 第十条 names sensitive periods for leaders on duty.
PERIOD_DEFAULTS = {
    "flood_season": {"double_staffing": True, "leaders_on_duty": False},
    "sensitive": {"double_staffing": True, "leaders_on_duty": True},
    "major_incident": {"double_staffing": True, "leaders_on_duty": False},
}

# rule_code → article
RULES = {
    "unknown_person": "第九条",
    "inactive_person": "第九条",
    "not_permanent": "第九条",
    "pre_job_training_missing": "第十六条",
    "yearly_training_overdue": "第十六条",
    "no_duty_officer": "第九条",
    "double_staffing_required": "第九条",
    "shift_leader_required": "第十条",
    "leader_not_qualified": "第十条",
    "leader_is_officer": "第九条",
    "overlapping_shifts": "第九条",
    "rest_too_short": "第二十四条",
    "coverage_gap": "第二、九条",
}


# --- facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str
    employment: str  # permanent | contract | temporary
    can_lead_shift: bool = False
    pre_job_trained_on: date | None = None
    yearly_trained_on: date | None = None
    active: bool = True


@dataclass
class ShiftFacts:
    id: int | None
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    officer_ids: list[int] = field(default_factory=list)
    leader_id: int | None = None

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("shift times must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("a shift must end after it starts")

    @property
    def day(self) -> date:
        """The local day the shift starts on: the day it is filed under."""
        return local_day(self.starts_at)

    def people(self) -> list[int]:
        """Everyone on the shift, in any role, once each."""
        ids = list(dict.fromkeys(self.officer_ids))
        if self.leader_id is not None and self.leader_id not in ids:
            ids.append(self.leader_id)
        return ids

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class SpecialPeriod:
    kind: str  # flood_season | sensitive | major_incident
    starts_at: datetime
    ends_at: datetime
    unit_ids: frozenset[int] | None = None  # None: every unit
    double_staffing: bool = True
    leaders_on_duty: bool = False

    @classmethod
    def of(cls, kind: str, starts_at: datetime, ends_at: datetime,
           unit_ids: Iterable[int] | None = None) -> SpecialPeriod:
        """A period with its kind's default requirements (PERIOD_DEFAULTS)."""
        return cls(kind, starts_at, ends_at, None if unit_ids is None else frozenset(unit_ids),
                   **PERIOD_DEFAULTS[kind])

    @property
    def label(self) -> str:
        return PERIOD_KINDS.get(self.kind, self.kind)

    def applies_to(self, unit_id: int) -> bool:
        return self.unit_ids is None or unit_id in self.unit_ids

    def overlaps(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at < ends_at and starts_at < self.ends_at


@dataclass(frozen=True)
class Violation:
    rule_code: str
    article: str
    message: str
    shift_id: int | None = None
    person_id: int | None = None
    day: date | None = None


@dataclass(frozen=True)
class ShiftTemplate:
    code: str
    label: str
    start: time  # local (Asia/Shanghai) wall-clock start
    duration: timedelta


TEMPLATE_SETS: dict[str, tuple[ShiftTemplate, ...]] = {
    "full_day": (ShiftTemplate("full_day", "24小时班", time(8, 30), timedelta(hours=24)),),
    "day_night": (
        ShiftTemplate("day", "白班", time(8, 30), timedelta(hours=9, minutes=30)),
        ShiftTemplate("night", "夜班", time(18, 0), timedelta(hours=14, minutes=30)),
    ),
}
# Shifts are made from these templates (24 h at most): a shift overlapping a moment started
# at most this long before it. Look-ups by time bound shift.starts_at with it, so the
# (unit_id, starts_at) index reads a few rows instead of the unit's whole history.
LONGEST_SHIFT = 2 * max(t.duration for ts in TEMPLATE_SETS.values() for t in ts)


# --- time helpers -----------------------------------------------------------------------


@lru_cache(maxsize=8192)
def local_day(moment: datetime) -> date:
    """The local (Asia/Shanghai) day of a moment. Kept per moment: a month's check asks it
    of the same few dozen shift times several hundred times."""
    return moment.astimezone(SHANGHAI).date()


def local_midnight(day: date) -> datetime:
    """Start of a local day, in UTC."""
    return datetime.combine(day, time(0), SHANGHAI).astimezone(timezone.utc)


def month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return [first + timedelta(n) for n in range((following - first).days)]


def month_window(year: int, month: int) -> tuple[datetime, datetime]:
    """A local calendar month as a UTC interval [start, end)."""
    days = month_days(year, month)
    return local_midnight(days[0]), local_midnight(days[-1] + timedelta(1))


def shifts_for_month(unit_id: int, year: int, month: int,
                     templates: Iterable[ShiftTemplate]) -> list[tuple[datetime, datetime]]:
    """The month's shift slots (starts_at, ends_at) in UTC, in time order.

    One slot per template per local day of the month; a slot starting on the last day
    runs into the next month. `unit_id` is accepted for the day units get their own
    templates; today every unit uses the templates it is given.
    """
    slots = []
    for day in month_days(year, month):
        for t in templates:
            starts_at = datetime.combine(day, t.start, SHANGHAI).astimezone(timezone.utc)
            slots.append((starts_at, starts_at + t.duration))
    return sorted(slots)


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _hm(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.hour:02d}:{local.minute:02d}"


def shift_label(shift: ShiftFacts) -> str:
    """'10月1日08:30–次日08:30班次'."""
    return _label(shift.starts_at, shift.ends_at)


@lru_cache(maxsize=4096)
def _label(starts_at: datetime, ends_at: datetime) -> str:
    # Kept per pair of times: a month's check labels each violation with its shift's.
    start, end = starts_at.astimezone(SHANGHAI), ends_at.astimezone(SHANGHAI)
    days_later = (end.date() - start.date()).days
    end_text = {0: "", 1: "次日"}.get(days_later, _md(end.date()))
    return (f"{_md(start.date())}{start.hour:02d}:{start.minute:02d}–"
            f"{end_text}{end.hour:02d}:{end.minute:02d}班次")


def _violation(code: str, text: str, shift: ShiftFacts | None = None,
               person_id: int | None = None, day: date | None = None) -> Violation:
    article = RULES[code]
    prefix = f"{shift_label(shift)}：" if shift is not None else ""
    return Violation(code, article, f"{prefix}{text}（{article}）",
                     shift.id if shift is not None else None, person_id,
                     day or (shift.day if shift is not None else None))


# --- who may be on duty (第九、十六条) ---------------------------------------------------


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def person_problems(person: PersonFacts, day: date, *, as_officer: bool = True) -> list[tuple[str, str]]:
    """Why `person` may not be on duty on `day`: [(rule_code, text)], empty when eligible.

    Training (第十六条) is asked of duty officers; a shift leader must be active
    permanent staff like everyone on duty (第九条).
    """
    if not person.active:
        return [("inactive_person", f"{person.name}已停用（不在岗），不得安排值班")]
    if person.employment != "permanent":
        label = EMPLOYMENTS.get(person.employment, person.employment)
        return [("not_permanent", f"{person.name}为{label}，不得安排值班，须由正式在编人员值班")]
    if not as_officer:
        return []
    pre_job = person.pre_job_trained_on
    if pre_job is None or pre_job > day:
        return [("pre_job_training_missing",
                 f"{person.name}在{_md(day)}前未完成岗前培训，不得参与值班")]
    # The pre-job training counts as that year's training.
    latest = max(d for d in (pre_job, person.yearly_trained_on) if d is not None and d <= day)
    if latest < _one_year_before(day):
        return [("yearly_training_overdue",
                 f"{person.name}最近一次培训为{latest.year}年{_md(latest)}，"
                 f"至{day.year}年{_md(day)}已超过12个月，须先参加年度培训")]
    return []


def is_eligible_officer(person: PersonFacts, day: date) -> bool:
    return not person_problems(person, day)


def is_eligible_leader(person: PersonFacts, day: date) -> bool:
    return person.can_lead_shift and not person_problems(person, day, as_officer=False)


# --- what a shift needs (第九、十条) -----------------------------------------------------


def required_officers(shift: ShiftFacts, periods: Iterable[SpecialPeriod]) -> tuple[int, SpecialPeriod | None]:
    """2 with the double-staffing period that asks for it (第九条), else 1."""
    for p in periods:
        if p.double_staffing and p.applies_to(shift.unit_id) and p.overlaps(shift.starts_at, shift.ends_at):
            return 2, p
    return 1, None


def leader_reason(shift: ShiftFacts, periods: Iterable[SpecialPeriod],
                  calendar: HolidayCalendar) -> str | None:
    """Why the shift needs a shift leader (第十条), or None when it does not."""
    first, last = local_day(shift.starts_at), local_day(shift.ends_at - timedelta(microseconds=1))
    holidays = calendar.holidays_between(first, last)
    if holidays:
        name = calendar.name(holidays[0])
        return f"含法定节假日（{name}）" if name else "含法定节假日"
    for p in periods:
        if p.leaders_on_duty and p.applies_to(shift.unit_id) and p.overlaps(shift.starts_at, shift.ends_at):
            return f"处于{p.label}"
    return None


def validate_shift(shift: ShiftFacts, people: Mapping[int, PersonFacts],
                   periods: Iterable[SpecialPeriod], calendar: HolidayCalendar, *,
                   other_shifts: Iterable[ShiftFacts] = (),
                   min_rest_hours: float = DEFAULT_MIN_REST_HOURS) -> list[Violation]:
    """The save-time check of one shift, against the people's other shifts."""
    periods = list(periods)
    found = _shift_rules(shift, people, periods, calendar)
    others = [s for s in other_shifts if s is not shift and (s.id is None or s.id != shift.id)]
    found += _pair_rules([*others, shift], people, min_rest_hours, report=lambda s: s is shift)
    return found


def _shift_rules(shift: ShiftFacts, people: Mapping[int, PersonFacts],
                 periods: list[SpecialPeriod], calendar: HolidayCalendar) -> list[Violation]:
    found: list[Violation] = []
    day = shift.day
    officers = list(dict.fromkeys(shift.officer_ids))

    for pid in officers:
        found += _person_rules(shift, pid, people, day, as_officer=True)

    needed, period = required_officers(shift, periods)
    if not officers:
        found.append(_violation("no_duty_officer", "未安排值班员", shift))
    elif len(officers) < needed:
        found.append(_violation(
            "double_staffing_required",
            f"处于{period.label}，须双人专职值班，现只安排了{len(officers)}名值班员", shift))

    reason = leader_reason(shift, periods, calendar)
    if shift.leader_id is None:
        if reason:
            found.append(_violation("shift_leader_required", f"{reason}，须安排领导带班", shift))
    else:
        lid = shift.leader_id
        found += _person_rules(shift, lid, people, day, as_officer=False)
        leader = people.get(lid)
        if leader is not None and not leader.can_lead_shift:
            found.append(_violation("leader_not_qualified",
                                    f"{leader.name}不具备带班资格，不能担任带班领导", shift, lid))
        if lid in officers:
            found.append(_violation("leader_is_officer",
                                    f"{_name(lid, people)}不能在同一班次既带班又值班，值班员须专职值班",
                                    shift, lid))
    return found


def _person_rules(shift: ShiftFacts, pid: int, people: Mapping[int, PersonFacts], day: date,
                  *, as_officer: bool) -> list[Violation]:
    person = people.get(pid)
    if person is None:
        return [_violation("unknown_person",
                           f"编号{pid}的人员不在本单位人员名单中，无法核验是否为正式在编人员", shift, pid)]
    return [_violation(code, text, shift, pid) for code, text in person_problems(person, day, as_officer=as_officer)]


def _name(pid: int, people: Mapping[int, PersonFacts]) -> str:
    person = people.get(pid)
    return person.name if person else f"编号{pid}的人员"


# --- one post at a time, and rest between posts (第九、二十四条) -------------------------


def _pair_rules(shifts: Iterable[ShiftFacts], people: Mapping[int, PersonFacts],
                min_rest_hours: float, report: Callable[[ShiftFacts], bool]) -> list[Violation]:
    """Overlaps and short rests between each person's consecutive shifts.

    Reported on the later shift of a pair, when `report(shift)` says so.
    """
    by_person: dict[int, list[ShiftFacts]] = {}
    for s in shifts:
        for pid in s.people():
            by_person.setdefault(pid, []).append(s)
    min_rest = timedelta(hours=min_rest_hours)
    found = []
    for pid, own in by_person.items():
        own.sort(key=lambda s: (s.starts_at, s.ends_at))
        latest: ShiftFacts | None = None  # the earlier shift ending last
        for s in own:
            if latest is not None and report(s):
                name = _name(pid, people)
                if s.starts_at < latest.ends_at:
                    found.append(_violation(
                        "overlapping_shifts",
                        f"{name}同时被安排在{shift_label(latest)}，同一人不能同时在两个班次值班", s, pid))
                elif s.starts_at - latest.ends_at < min_rest:
                    rest = (s.starts_at - latest.ends_at).total_seconds() / 3600
                    found.append(_violation(
                        "rest_too_short",
                        f"{name}距上一班次（{shift_label(latest)}）仅休息{rest:g}小时，"
                        f"少于{min_rest_hours:g}小时", s, pid))
            if latest is None or s.ends_at > latest.ends_at:
                latest = s
    return found


# --- 24-hour cover (第二、九条) -------------------------------------------------------------


def coverage_gaps(unit_id: int, shifts: Iterable[ShiftFacts],
                  starts_at: datetime, ends_at: datetime) -> list[Violation]:
    """Each uncovered stretch of [starts_at, ends_at), split at local midnight.

    Cover is the union of the unit's shifts; a shift without officers still counts
    here, its emptiness being reported by the shift itself (no_duty_officer).
    """
    intervals = sorted((max(s.starts_at, starts_at), min(s.ends_at, ends_at))
                       for s in shifts if s.unit_id == unit_id and s.overlaps(starts_at, ends_at))
    gaps, cursor = [], starts_at
    for start, end in intervals:
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < ends_at:
        gaps.append((cursor, ends_at))

    found = []
    for gap_start, gap_end in gaps:
        while gap_start < gap_end:  # one violation per local day
            day = local_day(gap_start)
            piece_end = min(gap_end, local_midnight(day + timedelta(1)))
            end_text = "24:00" if piece_end == local_midnight(day + timedelta(1)) else _hm(piece_end)
            found.append(_violation("coverage_gap",
                                    f"{_md(day)}{_hm(gap_start)}–{end_text}无人值班，须保证每天24小时值班",
                                    day=day))
            gap_start = piece_end
    return found


# --- the whole roster -------------------------------------------------------------------


def validate_roster(unit_id: int, shifts: Iterable[ShiftFacts], people: Mapping[int, PersonFacts],
                    periods: Iterable[SpecialPeriod], calendar: HolidayCalendar,
                    starts_at: datetime, ends_at: datetime, *,
                    min_rest_hours: float = DEFAULT_MIN_REST_HOURS) -> list[Violation]:
    """Every rule over a unit's roster for the window [starts_at, ends_at).

    `month_window(year, month)` gives a calendar month. `shifts` may hold more than
    the unit's shifts in the window: the previous month's last shift covers the first
    night and counts for rest, and a person's shifts in other units count for overlaps
    and rest. Violations are reported only on this unit's shifts touching the window.
    """
    shifts = list(shifts)
    periods = list(periods)
    reported = lambda s: s.unit_id == unit_id and s.overlaps(starts_at, ends_at)  # noqa: E731
    found = coverage_gaps(unit_id, shifts, starts_at, ends_at)
    for s in shifts:
        if reported(s):
            found += _shift_rules(s, people, periods, calendar)
    found += _pair_rules(shifts, people, min_rest_hours, report=reported)
    return sorted(found, key=lambda v: (v.day or date.min, v.rule_code))
