"""Auto-scheduler: fill a unit's month with shift leaders and duty officers.

Two greedy passes over the month's slots in time order, no search, so a hundred
units take well under a second:

1. shift leaders, where 第十条 asks for one (statutory holidays, leaders-on-duty
   periods): among active permanent staff who can lead, the one who has led least,
   then preferably one who is not also a duty officer, then least recently. Leaders
   go first because they are the scarcer role; their posts then keep them off
   officer duty nearby.
2. duty officers, two in a double-staffing period (第九条) and one otherwise, among
   eligible staff (permanent and trained: 第九、十六条):
   - on a workday slot: fewest duties this month, then most weekend/holiday duties
     (so the others stay free for the rest days);
   - on a weekend or holiday slot: fewest weekend/holiday duties, then fewest duties;
   - then least recent duty (last month's history counts), then a seeded random rank.

Nobody is taken who is on leave on a day the slot touches, who holds another post
at the time, or whose rest before or after another post would be shorter than the
rest rule (第二十四条). A slot that cannot be filled is left short: the roster check
reports the violation, and an explanation says which rule cannot be met and why.

Fairness, as observed when everybody is available all month: duty counts of the
eligible officers differ by at most one, and so do their weekend/holiday counts.
It is a greedy heuristic, not a guarantee; tight units (forced day/night teams)
can end with weekend/holiday counts two apart.
"""
from __future__ import annotations

import bisect
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from rules.calendar import HolidayCalendar, unpublished_warning
from rules.staffing import (
    DEFAULT_MIN_REST_HOURS,
    RULES,
    PersonFacts,
    ShiftFacts,
    ShiftTemplate,
    SpecialPeriod,
    Violation,
    is_eligible_leader,
    is_eligible_officer,
    leader_reason,
    local_day,
    local_midnight,
    person_problems,
    required_officers,
    shifts_for_month,
    validate_roster,
)

NEVER = datetime.min.replace(tzinfo=timezone.utc)


@dataclass
class ScheduleResult:
    shifts: list[ShiftFacts]
    violations: list[Violation]
    explanations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def auto_schedule(unit_id: int, year: int, month: int, people: Mapping[int, PersonFacts],
                  templates: Iterable[ShiftTemplate], periods: Iterable[SpecialPeriod],
                  calendar: HolidayCalendar,
                  history_last_duty: Mapping[int, date] | None = None,
                  unavailable: Mapping[int, set[date]] | None = None,
                  seed: int = 0, *,
                  min_rest_hours: float = DEFAULT_MIN_REST_HOURS,
                  prior_shifts: Iterable[ShiftFacts] = ()) -> ScheduleResult:
    """Plan `unit_id`'s month. `prior_shifts` (the end of last month's roster) keep
    their people off the first shifts when the rest rule asks for it."""
    periods = [p for p in periods if p.applies_to(unit_id)]
    slots = shifts_for_month(unit_id, year, month, templates)
    if not slots:
        return ScheduleResult([], [], ["未设置班次模板，无法排班"])
    shifts = [ShiftFacts(None, unit_id, starts_at, ends_at) for starts_at, ends_at in slots]
    plan = _Plan(people, unavailable or {}, min_rest_hours, seed)
    last_duty = {pid: NEVER for pid in people}  # least recent first; last month counts
    for pid, day in (history_last_duty or {}).items():
        if pid in last_duty:
            last_duty[pid] = local_midnight(day)
    for shift in prior_shifts:
        for pid in shift.people():
            if pid in people:
                plan.take(pid, shift)
                last_duty[pid] = max(last_duty[pid], shift.ends_at)
    last_led = dict(last_duty)
    duties, rest_day_duties, leads = Counter(), Counter(), Counter()
    notes = _Notes()

    # 1. Shift leaders first: the scarcer role, and their posts then bar them from
    #    officer duty close by (第十条).
    for shift in shifts:
        why = leader_reason(shift, periods, calendar)
        if not why:
            continue
        leaders = plan.leaders(shift.day)
        free = [p for p in leaders if plan.blocked(p, shift) is None]
        if not free:
            notes.add(shift.day, _no_leader(why, leaders, shift, plan))
            continue
        officers = plan.officers(shift.day)
        pid = min(free, key=lambda p: (leads[p], p in officers, last_led[p], plan.rank[p]))
        shift.leader_id = pid
        plan.take(pid, shift)
        leads[pid] += 1
        last_led[pid] = shift.ends_at

    # 2. Duty officers, fewest duties first (第九条).
    for shift in shifts:
        needed, period = required_officers(shift, periods)
        officers = plan.officers(shift.day)
        rest_day = calendar.is_rest_day(shift.day)
        free = [p for p in officers if plan.blocked(p, shift) is None]
        free.sort(key=lambda p: (*((rest_day_duties[p], duties[p]) if rest_day
                                   else (duties[p], -rest_day_duties[p])),
                                 last_duty[p], plan.rank[p]))
        shift.officer_ids = free[:needed]
        if len(shift.officer_ids) < needed:
            notes.add(shift.day, _short(needed, period, officers, shift, plan))
        for pid in shift.officer_ids:
            plan.take(pid, shift)
            duties[pid] += 1
            rest_day_duties[pid] += rest_day
            last_duty[pid] = shift.ends_at

    violations = validate_roster(unit_id, shifts, people, periods, calendar,
                                 slots[0][0], max(end for _, end in slots),
                                 min_rest_hours=min_rest_hours)
    explanations = notes.render()
    if explanations:
        explanations += _excluded(people, shifts[0].day)
    explanations = [unpublished_warning(y) for y in calendar.unpublished_years({year})] + explanations
    return ScheduleResult(shifts, violations, explanations)


class _Plan:
    """Who is eligible on a day, and each person's posts so far (any role)."""

    def __init__(self, people: Mapping[int, PersonFacts], unavailable: Mapping[int, set[date]],
                 min_rest_hours: float, seed: int) -> None:
        self.people = people
        self.unavailable = unavailable
        self.min_rest_hours = min_rest_hours
        self.rest = timedelta(hours=min_rest_hours)
        order = sorted(people)
        random.Random(seed).shuffle(order)  # noqa: S311 - reproducible tie-breaking, not a secret
        self.order = order
        self.rank = {pid: i for i, pid in enumerate(order)}
        # Per person, posts sorted by start: (starts_at, ends_at, shift). They do not
        # overlap (the plan never makes them so), so only a slot's neighbours matter.
        self.posts: dict[int, list[tuple[datetime, datetime, ShiftFacts]]] = {p: [] for p in people}
        self._officers: dict[date, list[int]] = {}
        self._leaders: dict[date, list[int]] = {}

    def officers(self, day: date) -> list[int]:
        if day not in self._officers:
            self._officers[day] = [p for p in self.order if is_eligible_officer(self.people[p], day)]
        return self._officers[day]

    def leaders(self, day: date) -> list[int]:
        if day not in self._leaders:
            self._leaders[day] = [p for p in self.order if is_eligible_leader(self.people[p], day)]
        return self._leaders[day]

    def blocked(self, pid: int, shift: ShiftFacts) -> str | None:
        """Why `pid` cannot take `shift`, or None."""
        if self.unavailable.get(pid) and self.unavailable[pid] & _days_touched(shift):
            return "请假或不可排班"
        posts = self.posts[pid]
        i = bisect.bisect_right(posts, shift.starts_at, key=lambda post: post[0])
        for starts_at, ends_at, other in posts[max(i - 1, 0):i + 1]:
            if shift.overlaps(starts_at, ends_at):
                return "同时段担任带班领导" if other.leader_id == pid else "同时段已在其他班次值班"
            if shift.overlaps(starts_at - self.rest, ends_at + self.rest):
                return f"与相邻班次间隔不足{self.min_rest_hours:g}小时（第二十四条）"
        return None

    def take(self, pid: int, shift: ShiftFacts) -> None:
        bisect.insort(self.posts[pid], (shift.starts_at, shift.ends_at, shift), key=lambda post: post[0])


# --- explanations -------------------------------------------------------------------------


def _days_touched(shift: ShiftFacts) -> set[date]:
    first, last = shift.day, local_day(shift.ends_at - timedelta(microseconds=1))
    return {first + timedelta(n) for n in range((last - first).days + 1)}


def _short(needed: int, period: SpecialPeriod | None, officers: list[int], shift: ShiftFacts,
           plan: _Plan) -> str:
    need = f"处于{period.label}，需要双人值班（第九条）" if period else "需要1名值班员（第九条）"
    if len(officers) < needed:
        if not officers:
            return (f"{need}，但本单位没有符合条件的值班人员"
                    f"（须为正式在编人员，第九条；且已完成岗前培训、12个月内参加过培训，第十六条）")
        return f"{need}，但本单位符合条件的正式在编人员只有{len(officers)}人"
    reasons = [f"{plan.people[p].name}{why}" for p in officers
               if p not in shift.officer_ids and (why := plan.blocked(p, shift))]
    return f"{need}，但符合条件的{len(officers)}人中{'，'.join(reasons)}"


def _no_leader(why_leader: str, leaders: list[int], shift: ShiftFacts, plan: _Plan) -> str:
    need = f"{why_leader}，需要领导带班（第十条）"
    if not leaders:
        return f"{need}，但本单位没有具备带班资格的正式在编人员"
    reasons = "，".join(f"{plan.people[p].name}{plan.blocked(p, shift)}" for p in leaders)
    return f"{need}，但具备带班资格的{len(leaders)}人中{reasons}"


def _excluded(people: Mapping[int, PersonFacts], day: date) -> list[str]:
    lines = []
    for person in sorted(people.values(), key=lambda p: p.id):
        for code, text in person_problems(person, day):
            lines.append(f"{text}（{RULES[code]}）")
    return ["不能担任值班员的人员：" + "；".join(lines)] if lines else []


class _Notes:
    """Explanations, with the days sharing one text merged: '10月1日至10月7日…'."""

    def __init__(self) -> None:
        self._days: dict[str, list[date]] = {}

    def add(self, day: date, text: str) -> None:
        days = self._days.setdefault(text, [])
        if day not in days:
            days.append(day)

    def render(self) -> list[str]:
        return [_day_ranges(days) + text for text, days in self._days.items()]


def _day_ranges(days: list[date]) -> str:
    runs: list[list[date]] = []
    for d in sorted(days):
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    md = lambda d: f"{d.month}月{d.day}日"  # noqa: E731
    return "、".join(md(r[0]) if len(r) == 1 else f"{md(r[0])}至{md(r[-1])}" for r in runs)
