"""Rosters (排班): a unit's month of duty, planned under the staffing rules.

Every save is checked against rules/staffing.py and the violations come back beside the
roster, each naming its article. Two things are refused outright at assignment time:
somebody who is not the unit's active permanent staff (第九条: 「张三为临时人员，不得安排
值班（第九条）」), and any change to a published roster except through a swap or a
substitution approved by a shift leader. Publishing a roster with violations is refused
with the list of violations.

Excel and iCalendar files of rosters are in services/roster_files.py.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import Integer, bindparam, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from models.org import Person, Unit
from models.roster import Roster, Shift, ShiftOfficer, SwapRequest, Unavailability
from rules.scheduler import auto_schedule
from rules.staffing import (
    RULES, ShiftFacts, Violation, leader_reason, local_day, month_days, month_window, person_problems,
    required_officers, shift_label,
)
from services import audit, clock, view_cache
from services.directory.common import EMPLOYMENT_LABELS
from services.errors import DomainError, PermissionDenied, ValidationError
from services.paging import Paged, page_bounds
from services.permissions import Actor, can, require, scoped_unit
from services.roster_common import (
    NEIGHBOUR_MARGIN, ROSTER_STATUS_LABELS, TEMPLATE_SET_LABELS, TEMPLATES, MonthContext,
    PersonRef, RosterViolations, check_month, employment_label, get_or_404, hard_refusal,
    load_calendar, load_for_edit, load_month, load_periods, local_violations, min_rest_hours,
    neighbour_shifts, officer_of, person_facts, shift_facts, shift_records, slots, templates_of,
    years_of,
)
from services.uow import reading, transaction
from workflows.shift import STATE_LABELS as SHIFT_STATE_LABELS

__all__ = [
    "PersonOption", "ShiftRow", "MonthView", "SaveResult", "ScheduleReport", "RosterStatusRow",
    "UnavailabilityRow", "SwapRow", "RosterViolations", "TEMPLATE_SET_LABELS",
    "month_view", "roster_statuses", "create_month", "set_staffing", "assign_officer",
    "unassign_officer", "set_leader", "auto_schedule_month", "publish", "unpublish",
    "add_unavailability", "list_unavailability", "delete_unavailability",
    "request_swap", "accept_swap", "decline_swap", "approve_swap", "reject_swap", "cancel_swap",
    "list_swaps", "swaps_page", "OpenSwaps", "open_swaps", "ShiftChoice", "swappable_shifts",
    "Colleague", "SwapOptions", "swap_options",
]

SWAP_KIND_LABELS = {"swap": "换班", "substitution": "替班"}
SWAP_STATE_LABELS = {
    "requested": "待同事确认", "accepted": "待带班领导审批", "approved": "已批准",
    "declined": "同事已拒绝", "rejected": "未批准", "cancelled": "已撤回",
}
OPEN_SWAP_STATES = ("requested", "accepted")
MAX_UNAVAILABLE_DAYS = 93


# ---------------------------------------------------------------- what pages get

@dataclass(frozen=True)
class PersonOption:
    """A person of the unit for the pickers, with why they may not be on duty (if so)."""

    id: int
    name: str
    employment: str
    can_lead_shift: bool
    active: bool
    problem: str | None      # e.g. 「新同志在10月1日前未完成岗前培训…（第十六条）」

    @property
    def employment_label(self) -> str:
        return employment_label(self.employment)

    @property
    def eligible(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class ShiftRow:
    id: int
    version: int
    day: date
    starts_at: datetime
    ends_at: datetime
    template_code: str
    label: str                       # 「10月1日08:30–次日08:30班次」
    officers: tuple[PersonRef, ...]
    leader: PersonRef | None
    state: str
    required_officers: int           # 2 in a double-staffing period (第九条)
    leader_reason: str | None        # why a shift leader is needed (第十条), or None
    violations: tuple[Violation, ...]

    @property
    def template_label(self) -> str:
        t = TEMPLATES.get(self.template_code)
        return t.label if t else self.template_code

    @property
    def state_label(self) -> str:
        return SHIFT_STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class MonthView:
    unit_id: int
    unit_name: str
    year: int
    month: int
    roster_id: int | None
    roster_version: int | None
    status: str | None               # None: no roster yet
    template_set: str | None
    published_at: datetime | None
    shifts: list[ShiftRow]
    violations: list[Violation]      # every violation, the day-level coverage gaps included
    warnings: list[str]              # unpublished holiday year, leave conflicts
    people: list[PersonOption]
    can_edit: bool

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def status_label(self) -> str:
        return ROSTER_STATUS_LABELS.get(self.status, "未编排") if self.status else "未编排"

    @property
    def day_violations(self) -> list[Violation]:
        """Violations not tied to one shift (coverage gaps, 第二、九条)."""
        return [v for v in self.violations if v.shift_id is None]


@dataclass(frozen=True)
class SaveResult:
    shift_id: int
    version: int
    violations: list[Violation]


@dataclass(frozen=True)
class ScheduleReport:
    roster_id: int
    roster_version: int
    shifts: int
    violations: list[Violation]
    explanations: list[str]          # which rule cannot be met and why

    @property
    def ok(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class RosterStatusRow:
    unit_id: int
    unit_name: str
    roster_id: int | None
    status: str | None
    shifts: int
    unstaffed: int
    published_at: datetime | None

    @property
    def status_label(self) -> str:
        return ROSTER_STATUS_LABELS.get(self.status, "未编排") if self.status else "未编排"


@dataclass(frozen=True)
class UnavailabilityRow:
    id: int
    person_id: int
    person_name: str
    day: date
    reason: str


@dataclass(frozen=True)
class SwapRow:
    id: int
    version: int
    kind: str
    state: str
    unit_id: int
    shift_id: int
    shift_label: str
    other_shift_id: int | None
    other_shift_label: str | None
    from_person: PersonRef
    to_person: PersonRef
    reason: str | None
    requested_at: datetime
    accepted_at: datetime | None
    approved_at: datetime | None
    decision_note: str | None

    @property
    def kind_label(self) -> str:
        return SWAP_KIND_LABELS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return SWAP_STATE_LABELS.get(self.state, self.state)

    @property
    def open(self) -> bool:
        return self.state in OPEN_SWAP_STATES


# ---------------------------------------------------------------- the month view

def _ref(persons: dict[int, Person], pid: int | None) -> PersonRef | None:
    if pid is None:
        return None
    p = persons.get(pid)
    return PersonRef(pid, p.name if p else f"编号{pid}")


def _month_view(s: Session, actor: Actor, ctx: MonthContext) -> MonthView:
    violations = ctx.violations() if ctx.roster is not None else []  # nothing planned yet
    by_shift: dict[int, list[Violation]] = defaultdict(list)
    for v in violations:
        if v.shift_id is not None:
            by_shift[v.shift_id].append(v)
    rows = []
    for sh, facts in zip(ctx.shifts, ctx.facts):
        needed, _period = required_officers(facts, ctx.periods)
        rows.append(ShiftRow(
            sh.id, sh.version, facts.day, sh.starts_at, sh.ends_at, sh.template_code,
            shift_label(facts), tuple(_ref(ctx.persons, pid) for pid in sh.officer_ids),
            _ref(ctx.persons, sh.leader_person_id), sh.state, needed,
            leader_reason(facts, ctx.periods, ctx.calendar), tuple(by_shift.get(sh.id, ()))))
    first_day = month_days(ctx.year, ctx.month)[0]
    unit_people = sorted((p for p in ctx.persons.values() if p.unit_id == ctx.unit.id),
                         key=lambda p: (not p.active, p.name, p.id))
    people = []
    for p in unit_people:
        problems = person_problems(person_facts(p), first_day)
        problem = None
        if problems:
            code, text = problems[0]
            problem = f"{text}（{RULES[code]}）"
        people.append(PersonOption(p.id, p.name, p.employment, bool(p.can_lead_shift),
                                   bool(p.active), problem))
    roster = ctx.roster
    return MonthView(
        ctx.unit.id, ctx.unit.name, ctx.year, ctx.month, roster.id if roster else None,
        roster.version if roster else None, roster.status if roster else None,
        roster.template_set if roster else None, roster.published_at if roster else None,
        rows, violations, ctx.warnings + _leave_conflicts(s, ctx), people,
        can(actor, "roster.edit", ctx.unit.id) and (roster is None or roster.status == "draft"))


def _leave_conflicts(s: Session, ctx: MonthContext) -> list[str]:
    """People rostered on a day they are registered unavailable (shown, not a rule)."""
    pids = {pid for sh in ctx.shifts for pid in (*sh.officer_ids, sh.leader_person_id) if pid}
    if not pids:
        return []
    days = month_days(ctx.year, ctx.month)
    leave = defaultdict(dict)
    for pid, day, reason in s.execute(select(Unavailability.person_id, Unavailability.day,
                                             Unavailability.reason).where(
            Unavailability.person_id.in_(pids), Unavailability.day >= days[0] - timedelta(1),
            Unavailability.day <= days[-1] + timedelta(1))):
        leave[pid][day] = reason
    found = []
    for sh, facts in zip(ctx.shifts, ctx.facts) if leave else ():   # most months: nobody on leave
        on_leave = [pid for pid in facts.people() if pid in leave]
        if not on_leave:
            continue
        touched = {facts.day, local_day(sh.ends_at - timedelta(microseconds=1))}
        for pid in on_leave:
            for day in sorted(touched & set(leave[pid])):
                name = ctx.persons[pid].name if pid in ctx.persons else f"编号{pid}"
                found.append(f"{name}{day.month}月{day.day}日已登记不可排班（{leave[pid][day]}），"
                             f"但被安排在{shift_label(facts)}")
    return found


def month_view(actor: Actor, unit_id: int, year: int, month: int) -> MonthView:
    """A unit's month: shifts with officers and leader names, violations beside them."""
    with reading() as s:
        require(actor, "roster.read", unit_id)
        # The same for everyone who may (or may not) edit this unit's roster.
        editable = can(actor, "roster.edit", unit_id)
        return view_cache.cached(s, ("month_view", unit_id, year, month, editable),
                                 lambda: _month_view(s, actor, load_month(s, unit_id, year, month)))


def roster_statuses(actor: Actor, year: int, month: int) -> list[RosterStatusRow]:
    """Every active unit in the actor's scope with its roster's status for the month."""
    check_month(year, month)
    with reading() as s:
        scope = scoped_unit(actor, "roster.read")
        q = select(Unit.id, Unit.name).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.name)
        if scope is not None:
            q = q.where(Unit.id == scope)
        units = s.execute(q).all()
        rosters = {r.unit_id: r for r in s.execute(select(Roster).where(
            Roster.year == year, Roster.month == month)).scalars()}
        has_officer = select(ShiftOfficer.id).where(ShiftOfficer.shift_id == Shift.id).exists()
        counts = {rid: (total, unstaffed) for rid, total, unstaffed in s.execute(
            select(Shift.roster_id, func.count(Shift.id),
                   func.sum(case((~has_officer, 1), else_=0)))
            .where(Shift.roster_id.in_([r.id for r in rosters.values()]))
            .group_by(Shift.roster_id))} if rosters else {}
        out = []
        for uid, name in units:
            r = rosters.get(uid)
            total, unstaffed = counts.get(r.id, (0, 0)) if r else (0, 0)
            out.append(RosterStatusRow(uid, name, r.id if r else None, r.status if r else None,
                                       int(total or 0), int(unstaffed or 0),
                                       r.published_at if r else None))
        return out


# ---------------------------------------------------------------- creating and staffing

def _new_roster(s: Session, unit: Unit, year: int, month: int, template_set: str) -> Roster:
    templates_of(template_set)
    if not unit.active:
        raise DomainError(f"{unit.name}已停用，不能编排值班表")
    roster = Roster(unit_id=unit.id, year=year, month=month, template_set=template_set,
                    status="draft", created_at=clock.now())
    s.add(roster)
    s.flush()
    return roster


def _existing_roster(s: Session, unit_id: int, year: int, month: int) -> Roster | None:
    return s.execute(select(Roster).where(Roster.unit_id == unit_id, Roster.year == year,
                                          Roster.month == month)).scalar_one_or_none()


def _require_draft(roster: Roster) -> None:
    if roster.status != "draft":
        raise DomainError(f"{roster.year}年{roster.month}月值班表已发布，不能直接修改；"
                          "请通过换班、替班调整，或先撤回发布")


def replace_shifts(s: Session, roster: Roster, template_set: str,
                   staffing: dict[tuple[datetime, str], tuple[list[int], int | None]]) -> list[Shift]:
    """Drop a draft roster's shifts and lay the template set's slots anew, staffed from
    `staffing[(starts_at, template_code)] = (officer_ids, leader_id)`."""
    if any(sh.state != "scheduled" for sh in roster.shifts):
        raise DomainError("本月已有班次开始值班，不能整月重排；请逐个班次调整")
    roster.shifts.clear()
    s.flush()
    roster.template_set = template_set
    created = []
    for starts_at, ends_at, code in slots(roster.year, roster.month, template_set):
        officers, leader = staffing.get((starts_at, code), ([], None))
        sh = Shift(unit_id=roster.unit_id, starts_at=starts_at, ends_at=ends_at,
                   template_code=code, leader_person_id=leader, state="scheduled")
        sh.officers = [ShiftOfficer(person_id=pid) for pid in dict.fromkeys(officers)]
        roster.shifts.append(sh)
        created.append(sh)
    flag_modified(roster, "template_set")
    s.flush()
    return created


def create_month(actor: Actor, unit_id: int, year: int, month: int,
                 template_set: str = "full_day") -> int:
    """A draft roster of empty shifts laid from a template set ('full_day', 'day_night')."""
    with transaction() as s:
        require(actor, "roster.edit", unit_id)
        check_month(year, month)
        unit = get_or_404(s, Unit, unit_id, "单位")
        if _existing_roster(s, unit_id, year, month):
            raise DomainError(f"{unit.name}{year}年{month}月值班表已存在")
        roster = _new_roster(s, unit, year, month, template_set)
        replace_shifts(s, roster, template_set, {})
        audit.record(s, actor, "roster.create", "roster", roster.id,
                     details={"unit_id": unit_id, "year": year, "month": month,
                              "template_set": template_set, "shifts": len(roster.shifts)})
        return roster.id


def _shift_check(s: Session, sh: Shift) -> list[Violation]:
    """The save-time check of one shift against its people's other shifts (all rules)."""
    return local_violations(s, sh.unit_id, [shift_facts(sh)], exclude_shift_ids=[sh.id])


def _staff(s: Session, actor: Actor, sh: Shift, officer_ids: list[int],
           leader_id: int | None) -> SaveResult:
    _require_draft(sh.roster)
    if sh.state != "scheduled":
        raise DomainError("该班次已开始值班，不能再调整人员")
    unit = s.get(Unit, sh.unit_id)
    officer_ids = list(dict.fromkeys(int(p) for p in officer_ids))
    wanted = set(officer_ids) | ({leader_id} if leader_id is not None else set())
    persons = {p.id: p for p in s.execute(select(Person).where(Person.id.in_(wanted))).scalars()} \
        if wanted else {}
    refusals = [r for pid in officer_ids if (r := hard_refusal(persons.get(pid), unit, pid, "值班员"))]
    if leader_id is not None:
        r = hard_refusal(persons.get(leader_id), unit, leader_id, "带班领导")
        if r:
            refusals.append(r)
    if refusals:
        raise ValidationError(refusals)
    before = {"officers": sh.officer_ids, "leader": sh.leader_person_id}
    current = {o.person_id: o for o in sh.officers}
    for pid, row in current.items():
        if pid not in officer_ids:
            sh.officers.remove(row)
    for pid in officer_ids:
        if pid not in current:
            sh.officers.append(ShiftOfficer(person_id=pid))
    sh.leader_person_id = leader_id
    flag_modified(sh, "template_code")  # the officers live in their own table: bump the version
    s.flush()
    violations = _shift_check(s, sh)
    audit.record(s, actor, "shift.staff", "shift", sh.id, details={
        "before": before, "after": {"officers": sh.officer_ids, "leader": leader_id},
        "names": [persons[p].name for p in officer_ids],
        "violations": [v.rule_code for v in violations]})
    return SaveResult(sh.id, sh.version, violations)


def _shift_for_edit(s: Session, actor: Actor, shift_id: int, version: int | None) -> Shift:
    sh = get_or_404(s, Shift, shift_id, "班次")
    require(actor, "roster.edit", sh.unit_id)
    return load_for_edit(s, Shift, shift_id, version, "班次")


def set_staffing(actor: Actor, shift_id: int, version: int, officer_ids: list[int],
                 leader_id: int | None = None) -> SaveResult:
    """Set a shift's duty officers and shift leader (edit in place); returns the shift's
    violations after the save. Non-permanent staff are refused (第九条)."""
    with transaction() as s:
        sh = _shift_for_edit(s, actor, shift_id, version)
        return _staff(s, actor, sh, officer_ids, leader_id)


def assign_officer(actor: Actor, shift_id: int, version: int, person_id: int) -> SaveResult:
    with transaction() as s:
        sh = _shift_for_edit(s, actor, shift_id, version)
        return _staff(s, actor, sh, [*sh.officer_ids, person_id], sh.leader_person_id)


def unassign_officer(actor: Actor, shift_id: int, version: int, person_id: int) -> SaveResult:
    with transaction() as s:
        sh = _shift_for_edit(s, actor, shift_id, version)
        return _staff(s, actor, sh, [p for p in sh.officer_ids if p != person_id],
                      sh.leader_person_id)


def set_leader(actor: Actor, shift_id: int, version: int, person_id: int | None) -> SaveResult:
    with transaction() as s:
        sh = _shift_for_edit(s, actor, shift_id, version)
        return _staff(s, actor, sh, sh.officer_ids, person_id)


# ---------------------------------------------------------------- auto-scheduling

def _history(s: Session, pids: list[int], before: datetime) -> dict[int, date]:
    """Each person's last duty (officer or leader) before `before`, as a local day."""
    if not pids:
        return {}
    last: dict[int, datetime] = {}
    officer_q = (select(ShiftOfficer.person_id, func.max(Shift.starts_at))
                 .join(Shift, Shift.id == ShiftOfficer.shift_id)
                 .where(ShiftOfficer.person_id.in_(pids), Shift.starts_at < before)
                 .group_by(ShiftOfficer.person_id))
    leader_q = (select(Shift.leader_person_id, func.max(Shift.starts_at))
                .where(Shift.leader_person_id.in_(pids), Shift.starts_at < before)
                .group_by(Shift.leader_person_id))
    for q in (officer_q, leader_q):
        for pid, at in s.execute(q):
            if at is not None:
                at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
                last[pid] = max(last.get(pid, at), at)
    return {pid: local_day(at) for pid, at in last.items()}


def auto_schedule_month(actor: Actor, unit_id: int, year: int, month: int,
                        template_set: str | None = None, seed: int = 0) -> ScheduleReport:
    """Fill a unit's month with the auto-scheduler (rules/scheduler.py) as a draft.

    History (least recent duty first) comes from earlier shifts, leave from the
    unavailability table, and last month's final shifts keep the rest rule across the
    month boundary. The result replaces the draft's shifts; violations and the
    explanations of what could not be met come back.
    """
    with transaction() as s:
        require(actor, "roster.edit", unit_id)
        check_month(year, month)
        unit = get_or_404(s, Unit, unit_id, "单位")
        roster = _existing_roster(s, unit_id, year, month)
        template_set = template_set or (roster.template_set if roster else "full_day")
        templates = templates_of(template_set)
        if roster is None:
            roster = _new_roster(s, unit, year, month, template_set)
        _require_draft(roster)
        month_start, month_end = month_window(year, month)
        persons = list(s.execute(select(Person).where(Person.unit_id == unit_id,
                                                      Person.active.is_(True))).scalars())
        people = {p.id: person_facts(p) for p in persons}
        pids = list(people)
        days = month_days(year, month)
        unavailable: dict[int, set[date]] = defaultdict(set)
        if pids:
            for pid, day in s.execute(select(Unavailability.person_id, Unavailability.day).where(
                    Unavailability.person_id.in_(pids), Unavailability.day >= days[0] - timedelta(1),
                    Unavailability.day <= days[-1] + timedelta(1))):
                unavailable[pid].add(day)
        near = neighbour_shifts(s, unit_id, pids, month_start, month_end, exclude_roster_id=roster.id)
        prior = [sh for sh in near if sh.starts_at < month_start]
        # Next month may be planned already: its first shifts' people are kept off the days
        # those shifts start, so the rest rule holds across the boundary (第二十四条); what
        # this cannot prevent, the month's check below reports.
        last_end = max(end for _start, end, _code in slots(year, month, template_set))
        rest = timedelta(hours=min_rest_hours())
        for sh in near:
            if month_end <= sh.starts_at < last_end + rest:
                for pid in shift_facts(sh).people():
                    unavailable[pid].add(local_day(sh.starts_at))
        periods = load_periods(s, month_start - NEIGHBOUR_MARGIN, month_end + NEIGHBOUR_MARGIN)
        calendar = load_calendar(s, years_of(month_start, month_end + NEIGHBOUR_MARGIN))
        result = auto_schedule(unit_id, year, month, people, templates, periods, calendar,
                               history_last_duty=_history(s, pids, month_start),
                               unavailable=unavailable, seed=seed,
                               min_rest_hours=min_rest_hours(),
                               prior_shifts=[shift_facts(sh) for sh in prior])
        code_at = {start: code for start, _end, code in slots(year, month, template_set)}
        replace_shifts(s, roster, template_set, {
            (f.starts_at, code_at[f.starts_at]): (list(f.officer_ids), f.leader_id)
            for f in result.shifts})
        ctx = load_month(s, unit_id, year, month)
        violations = ctx.violations()
        audit.record(s, actor, "roster.auto_schedule", "roster", roster.id, details={
            "unit_id": unit_id, "year": year, "month": month, "template_set": template_set,
            "seed": seed, "shifts": len(result.shifts), "violations": len(violations),
            "explanations": result.explanations})
        return ScheduleReport(roster.id, roster.version, len(result.shifts), violations,
                              [*ctx.warnings, *(e for e in result.explanations
                                                if e not in ctx.warnings)])


# ---------------------------------------------------------------- publishing

def publish(actor: Actor, roster_id: int, version: int) -> None:
    """Publish a draft roster; refused with the list of violations when there are any."""
    with transaction() as s:
        roster = get_or_404(s, Roster, roster_id, "值班表")
        require(actor, "roster.publish", roster.unit_id)
        roster = load_for_edit(s, Roster, roster_id, version, "值班表")
        if roster.status == "published":
            raise DomainError("值班表已发布")
        ctx = load_month(s, roster.unit_id, roster.year, roster.month)
        violations = ctx.violations()
        if not ctx.shifts:
            raise DomainError("值班表没有班次，不能发布")
        if violations:
            audit.record(s, actor, "roster.publish", "roster", roster.id, outcome="refused",
                         details={"violations": [v.message for v in violations[:50]],
                                  "count": len(violations)})
            s.commit()
            raise RosterViolations(f"值班表有{len(violations)}处不符合值班规定，不能发布", violations)
        roster.status = "published"
        roster.published_at = clock.now()
        roster.published_by_id = actor.user_id
        audit.record(s, actor, "roster.publish", "roster", roster.id,
                     details={"unit_id": roster.unit_id, "year": roster.year,
                              "month": roster.month, "shifts": len(ctx.shifts)})


def unpublish(actor: Actor, roster_id: int, version: int) -> None:
    """Withdraw a publication to edit the roster again (shifts already started stay as they are)."""
    with transaction() as s:
        roster = get_or_404(s, Roster, roster_id, "值班表")
        require(actor, "roster.publish", roster.unit_id)
        roster = load_for_edit(s, Roster, roster_id, version, "值班表")
        if roster.status != "published":
            raise DomainError("值班表尚未发布")
        open_swaps = s.execute(select(func.count(SwapRequest.id)).join(
            Shift, Shift.id == SwapRequest.shift_id).where(
            Shift.roster_id == roster.id, SwapRequest.state.in_(OPEN_SWAP_STATES))).scalar_one()
        if open_swaps:
            raise DomainError(f"有{open_swaps}条换班/替班申请尚未处理，请先处理后再撤回发布")
        roster.status = "draft"
        roster.published_at = None
        roster.published_by_id = None
        audit.record(s, actor, "roster.unpublish", "roster", roster.id,
                     details={"unit_id": roster.unit_id, "year": roster.year, "month": roster.month})


# ---------------------------------------------------------------- unavailability

def _require_for_person(s: Session, actor: Actor, action: str, person: Person) -> None:
    """Oneself, or whoever edits the person's unit's roster."""
    require(actor, action, person.unit_id)
    if actor.person_id != person.id and not can(actor, "roster.edit", person.unit_id):
        raise PermissionDenied(f"只能登记本人的不可排班日期（{action}）", actor=actor, action=action)


def add_unavailability(actor: Actor, person_id: int, first: date, last: date, reason: str) -> int:
    """Register leave or other days `person_id` cannot be rostered; returns days added
    (days already registered are kept)."""
    with transaction() as s:
        person = get_or_404(s, Person, person_id, "人员")
        _require_for_person(s, actor, "unavailability.write", person)
        problems = []
        reason = (reason or "").strip()
        if not reason:
            problems.append("事由：不能为空")
        elif len(reason) > 200:
            problems.append("事由：不能超过200个字")
        if not isinstance(first, date) or not isinstance(last, date):
            problems.append("日期：不能为空")
        elif last < first:
            problems.append("结束日期：不能早于开始日期")
        elif (last - first).days + 1 > MAX_UNAVAILABLE_DAYS:
            problems.append(f"日期：一次最多登记{MAX_UNAVAILABLE_DAYS}天")
        if problems:
            raise ValidationError(problems)
        days = [first + timedelta(n) for n in range((last - first).days + 1)]
        existing = set(s.execute(select(Unavailability.day).where(
            Unavailability.person_id == person_id, Unavailability.day.in_(days))).scalars())
        now = clock.now()
        added = [d for d in days if d not in existing]
        s.add_all([Unavailability(person_id=person_id, day=d, reason=reason,
                                  created_by_id=actor.user_id, created_at=now) for d in added])
        s.flush()
        audit.record(s, actor, "unavailability.add", "person", person_id,
                     details={"first": first, "last": last, "reason": reason, "added": len(added)})
        return len(added)


def list_unavailability(actor: Actor, unit_id: int, year: int, month: int) -> list[UnavailabilityRow]:
    check_month(year, month)
    days = month_days(year, month)
    with reading() as s:
        require(actor, "roster.read", unit_id)
        rows = s.execute(select(Unavailability, Person.name).join(
            Person, Person.id == Unavailability.person_id).where(
            Person.unit_id == unit_id, Unavailability.day >= days[0], Unavailability.day <= days[-1])
            .order_by(Unavailability.day, Person.name)).all()
        return [UnavailabilityRow(u.id, u.person_id, name, u.day, u.reason) for u, name in rows]


def delete_unavailability(actor: Actor, unavailability_id: int) -> None:
    with transaction() as s:
        row = get_or_404(s, Unavailability, unavailability_id, "不可排班记录")
        person = s.get(Person, row.person_id)
        _require_for_person(s, actor, "unavailability.write", person)
        audit.record(s, actor, "unavailability.delete", "person", person.id,
                     details={"day": row.day, "reason": row.reason})
        s.delete(row)


# ---------------------------------------------------------------- swaps and substitutions

def _on_shift(sh: Shift, pid: int) -> str | None:
    if pid in sh.officer_ids:
        return "officer"
    if sh.leader_person_id == pid:
        return "leader"
    return None


def _swappable(sh: Shift, now: datetime, what: str) -> None:
    if sh.roster.status != "published":
        raise DomainError(f"{what}所在值班表尚未发布，请直接在值班表中调整")
    if sh.state != "scheduled" or sh.starts_at <= now:
        raise DomainError(f"{what}已开始，不能换班或替班")


def _label(sh: Shift) -> str:
    return shift_label(shift_facts(sh))


def request_swap(actor: Actor, shift_id: int, from_person_id: int, to_person_id: int,
                 kind: str = "substitution", other_shift_id: int | None = None,
                 reason: str = "") -> int:
    """Ask a colleague to take a shift (替班, 'substitution') or to exchange shifts (换班,
    'swap': `other_shift_id` is the colleague's shift, which `from_person_id` takes)."""
    with transaction() as s:
        sh = get_or_404(s, Shift, shift_id, "班次")
        require(actor, "swap.request", sh.unit_id)
        if actor.person_id != from_person_id and not can(actor, "roster.edit", sh.unit_id):
            raise PermissionDenied("只能为本人申请换班或替班（swap.request）", actor=actor,
                                   action="swap.request")
        if kind not in SWAP_KIND_LABELS:
            raise DomainError("类型：应为换班或替班", field="kind")
        now = clock.now()
        _swappable(sh, now, "该班次")
        unit = s.get(Unit, sh.unit_id)
        persons = {p.id: p for p in s.execute(select(Person).where(
            Person.id.in_([from_person_id, to_person_id]))).scalars()}
        if from_person_id == to_person_id:
            raise DomainError("接替人：不能是本人", field="to_person_id")
        if _on_shift(sh, from_person_id) is None:
            raise DomainError(f"{_name(persons, from_person_id)}不在{_label(sh)}中", field="from_person_id")
        refusal = hard_refusal(persons.get(to_person_id), unit, to_person_id, "接替人")
        if refusal:
            raise DomainError(refusal, field="to_person_id")
        if _on_shift(sh, to_person_id):
            raise DomainError(f"{_name(persons, to_person_id)}已在{_label(sh)}中", field="to_person_id")
        other = None
        if kind == "swap":
            if other_shift_id is None:
                raise DomainError("换班：请选择对方的班次", field="other_shift_id")
            other = get_or_404(s, Shift, other_shift_id, "对方班次")
            if other.unit_id != sh.unit_id or other.id == sh.id:
                raise DomainError("换班：对方班次须为本单位的另一个班次", field="other_shift_id")
            _swappable(other, now, "对方班次")
            if _on_shift(other, to_person_id) is None:
                raise DomainError(f"换班：{_name(persons, to_person_id)}不在{_label(other)}中",
                                  field="other_shift_id")
            if _on_shift(other, from_person_id):
                raise DomainError(f"换班：{_name(persons, from_person_id)}已在{_label(other)}中",
                                  field="other_shift_id")
        elif other_shift_id is not None:
            raise DomainError("替班不需要选择对方班次", field="other_shift_id")
        pending = s.execute(select(SwapRequest.id).where(
            SwapRequest.shift_id == sh.id, SwapRequest.from_person_id == from_person_id,
            SwapRequest.state.in_(OPEN_SWAP_STATES))).first()
        if pending:
            raise DomainError("该班次已有待处理的换班/替班申请")
        swap = SwapRequest(kind=kind, shift_id=sh.id, other_shift_id=other.id if other else None,
                           from_person_id=from_person_id, to_person_id=to_person_id,
                           reason=(reason or "").strip() or None, state="requested",
                           requested_by_id=actor.user_id, requested_at=now)
        s.add(swap)
        s.flush()
        audit.record(s, actor, "swap.request", "swap_request", swap.id, details={
            "kind": kind, "shift_id": sh.id, "other_shift_id": swap.other_shift_id,
            "from": from_person_id, "to": to_person_id})
        return swap.id


def _name(persons: dict[int, Person], pid: int) -> str:
    p = persons.get(pid)
    return p.name if p else f"编号{pid}的人员"


def _swap_for(s: Session, swap_id: int, version: int | None, states: tuple[str, ...]) -> SwapRequest:
    swap = load_for_edit(s, SwapRequest, swap_id, version, "换班申请")
    if swap.state not in states:
        raise DomainError(f"该申请当前为「{SWAP_STATE_LABELS[swap.state]}」，不能执行此操作")
    return swap


def _colleague(s: Session, actor: Actor, swap_id: int, action: str) -> SwapRequest:
    swap = get_or_404(s, SwapRequest, swap_id, "换班申请")
    sh = s.get(Shift, swap.shift_id)
    require(actor, "swap.request", sh.unit_id)
    if actor.person_id != swap.to_person_id:
        raise PermissionDenied(f"只有被请求的同事本人可以答复（{action}）", actor=actor, action=action)
    return swap


def accept_swap(actor: Actor, swap_id: int, version: int) -> None:
    """The colleague agrees; the request then waits for a shift leader's approval."""
    with transaction() as s:
        _colleague(s, actor, swap_id, "swap.accept")
        swap = _swap_for(s, swap_id, version, ("requested",))
        swap.state, swap.accepted_at = "accepted", clock.now()
        audit.record(s, actor, "swap.accept", "swap_request", swap.id)


def decline_swap(actor: Actor, swap_id: int, version: int, note: str = "") -> None:
    with transaction() as s:
        _colleague(s, actor, swap_id, "swap.decline")
        swap = _swap_for(s, swap_id, version, ("requested",))
        _decide(swap, actor, "declined", note)
        audit.record(s, actor, "swap.decline", "swap_request", swap.id, details={"note": note})


def cancel_swap(actor: Actor, swap_id: int, version: int) -> None:
    with transaction() as s:
        swap = get_or_404(s, SwapRequest, swap_id, "换班申请")
        sh = s.get(Shift, swap.shift_id)
        require(actor, "swap.request", sh.unit_id)
        if actor.person_id != swap.from_person_id and not can(actor, "roster.edit", sh.unit_id):
            raise PermissionDenied("只有申请人可以撤回（swap.cancel）", actor=actor, action="swap.cancel")
        swap = _swap_for(s, swap_id, version, OPEN_SWAP_STATES)
        _decide(swap, actor, "cancelled", "")
        audit.record(s, actor, "swap.cancel", "swap_request", swap.id)


def _decide(swap: SwapRequest, actor: Actor, state: str, note: str) -> None:
    swap.state = state
    swap.decided_by_id = actor.user_id
    swap.decided_at = clock.now()
    swap.decision_note = (note or "").strip() or None


def _swap_plan(swap: SwapRequest, sh: Shift, other: Shift | None):
    """The staffing after the swap: {shift: (officer_ids, leader_id)}."""
    def moved(shift: Shift, out_pid: int, in_pid: int) -> tuple[list[int], int | None]:
        officers = [in_pid if p == out_pid else p for p in shift.officer_ids]
        leader = in_pid if shift.leader_person_id == out_pid else shift.leader_person_id
        return officers, leader

    plan = {sh: moved(sh, swap.from_person_id, swap.to_person_id)}
    if other is not None:
        plan[other] = moved(other, swap.to_person_id, swap.from_person_id)
    return plan


def approve_swap(actor: Actor, swap_id: int, version: int) -> None:
    """A shift leader approves; the rules are checked again on the changed shifts and a
    change that would break one is refused with the violations (the request stays open)."""
    with transaction() as s:
        swap = get_or_404(s, SwapRequest, swap_id, "换班申请")
        sh = s.get(Shift, swap.shift_id)
        require(actor, "swap.approve", sh.unit_id)
        if actor.person_id in (swap.from_person_id, swap.to_person_id):
            raise PermissionDenied("不能审批本人参与的换班或替班（swap.approve）", actor=actor,
                                   action="swap.approve")
        swap = _swap_for(s, swap_id, version, ("accepted",))
        now = clock.now()
        other = s.get(Shift, swap.other_shift_id) if swap.other_shift_id else None
        for shift, pid, what in ((sh, swap.from_person_id, "该班次"),
                                 *(((other, swap.to_person_id, "对方班次"),) if other else ())):
            _swappable(shift, now, what)
            if _on_shift(shift, pid) is None:
                raise DomainError("班次人员已变动，该申请已失效，请重新申请")
        unit = s.get(Unit, sh.unit_id)
        incoming = s.get(Person, swap.to_person_id)
        refusal = hard_refusal(incoming, unit, swap.to_person_id, "接替人")
        if refusal:
            raise DomainError(refusal)
        plan = _swap_plan(swap, sh, other)
        new = _new_violations(s, plan)
        if new:
            audit.record(s, actor, "swap.approve", "swap_request", swap.id, outcome="refused",
                         details={"violations": [v.message for v in new]})
            s.commit()
            raise RosterViolations("换班/替班后不符合值班规定，不能批准", new)
        for shift, (officers, leader) in plan.items():
            by_pid = {o.person_id: o for o in shift.officers}
            for pid, row in by_pid.items():
                if pid not in officers:
                    shift.officers.remove(row)
            for pid in officers:
                if pid not in by_pid:
                    shift.officers.append(ShiftOfficer(person_id=pid))
            shift.leader_person_id = leader
            flag_modified(shift, "template_code")
        swap.state, swap.approved_by_id, swap.approved_at = "approved", actor.user_id, now
        s.flush()
        audit.record(s, actor, "swap.approve", "swap_request", swap.id, details={
            "kind": swap.kind, "shift_id": sh.id, "other_shift_id": swap.other_shift_id,
            "from": swap.from_person_id, "to": swap.to_person_id})


def reject_swap(actor: Actor, swap_id: int, version: int, note: str = "") -> None:
    """A shift leader turns the request down."""
    with transaction() as s:
        swap = get_or_404(s, SwapRequest, swap_id, "换班申请")
        require(actor, "swap.approve", s.get(Shift, swap.shift_id).unit_id)
        swap = _swap_for(s, swap_id, version, OPEN_SWAP_STATES)
        _decide(swap, actor, "rejected", note)
        audit.record(s, actor, "swap.reject", "swap_request", swap.id, details={"note": note})


def _new_violations(s: Session, plan: dict[Shift, tuple[list[int], int | None]]) -> list[Violation]:
    """Violations around the changed shifts that the change brings (not those already there)."""
    changed = list(plan)
    before = [shift_facts(sh) for sh in changed]
    after = [ShiftFacts(f.id, f.unit_id, f.starts_at, f.ends_at, list(plan[sh][0]), plan[sh][1])
             for f, sh in zip(before, changed)]
    ids = [sh.id for sh in changed]
    unit_id = changed[0].unit_id
    key = lambda v: (v.rule_code, v.shift_id, v.person_id)  # noqa: E731
    # Both checks look at the people of both states, so a pair the change dissolves
    # and one it creates are compared on the same neighbours.
    everyone = {pid for f in before + after for pid in f.people()}
    old = {key(v) for v in local_violations(s, unit_id, before, ids, everyone)}
    return [v for v in local_violations(s, unit_id, after, ids, everyone) if key(v) not in old]


@dataclass(frozen=True)
class ShiftChoice:
    """A published shift not yet started that a person holds: what a swap can offer."""

    id: int
    unit_id: int
    label: str
    starts_at: datetime
    role: str                         # officer | leader

    @property
    def role_label(self) -> str:
        return "带班" if self.role == "leader" else "值班"


@dataclass(frozen=True)
class Colleague:
    """Someone of the unit a swap or a substitution can be asked of."""

    id: int
    name: str
    unit_id: int
    employment: str

    @property
    def employment_label(self) -> str:       # as the people list words it
        return EMPLOYMENT_LABELS.get(self.employment, self.employment)


@dataclass(frozen=True)
class SwapOptions:
    """What 申请换班或替班 offers a person: their shifts open to a swap, and the active
    colleagues of those shifts' units (those the actor may read the people of)."""

    shifts: tuple[ShiftChoice, ...]
    colleagues: tuple[Colleague, ...]    # by unit, then name

    def colleagues_for(self, shift: ShiftChoice) -> tuple[Colleague, ...]:
        return tuple(c for c in self.colleagues if c.unit_id == shift.unit_id)


def swappable_shifts(actor: Actor, person_id: int, days: int = 62) -> list[ShiftChoice]:
    """`person_id`'s shifts in published rosters that start within `days` and have not
    started: the shifts a swap or a substitution can be asked for (or offered in a swap)."""
    return list(_swap_options(actor, person_id, days, colleagues=False).shifts)


def swap_options(actor: Actor, person_id: int, days: int = 62) -> SwapOptions:
    """swappable_shifts and who can be asked to take them, read together (one session,
    one look at the data versions): the colleagues are those of the shifts' units, active,
    not the person; listed for the units whose people the actor may read (person.read)."""
    options = _swap_options(actor, person_id, days, colleagues=True)
    readable = {u for u in {c.unit_id for c in options.colleagues} if can(actor, "person.read", u)}
    return SwapOptions(options.shifts, tuple(c for c in options.colleagues if c.unit_id in readable))


def _swap_options(actor: Actor, person_id: int, days: int, colleagues: bool) -> SwapOptions:
    now = clock.now()
    with reading() as s:
        person = get_or_404(s, Person, person_id, "人员")
        require(actor, "roster.read", person.unit_id)

        def compute() -> SwapOptions:
            shifts = tuple(_shifts_to_swap(s, person_id, now, now + timedelta(days=days)))
            units = {c.unit_id for c in shifts}
            if not (colleagues and units):
                return SwapOptions(shifts, ())
            return SwapOptions(shifts, tuple(Colleague(*row) for row in s.execute(
                select(Person.id, Person.name, Person.unit_id, Person.employment)
                .where(Person.unit_id.in_(units), Person.active.is_(True), Person.id != person_id)
                .order_by(Person.unit_id, Person.name, Person.id))))
        # Not started yet: moves with the minute.
        return view_cache.cached(
            s, ("swap_options", person_id, days, colleagues, now.replace(second=0, microsecond=0)), compute)


def _shifts_to_swap(s: Session, person_id: int, now: datetime, hi: datetime) -> list[ShiftChoice]:
    published = select(Roster.id).where(Roster.id == Shift.roster_id, Roster.status == "published")
    shifts = shift_records(
        s, published.exists(), Shift.state == "scheduled", Shift.starts_at > now, Shift.starts_at < hi,
        (Shift.leader_person_id == person_id) | officer_of([person_id], now, hi))
    # Who else is on them is not shown: their names are not read.
    return [ShiftChoice(sh.id, sh.unit_id, _label(sh), sh.starts_at, _on_shift(sh, person_id))
            for sh in shifts]


SWAPS_PER_PAGE = 20


def _swap_unit(actor: Actor, unit_id: int | None) -> int | None:
    """The unit whose swaps the actor reads (None: every unit); refused outside its scope."""
    scope = scoped_unit(actor, "roster.read")
    if scope is not None:
        if unit_id is not None and unit_id != scope:
            require(actor, "roster.read", unit_id)
        unit_id = scope
    return unit_id


# Table aliases, not aliased() entities: their statements' cache keys are made on each run.
_OTHER_SHIFT = Shift.__table__.alias("other_shift")
_FROM_PERSON = Person.__table__.alias("from_person")
_TO_PERSON = Person.__table__.alias("to_person")


_SWAP_COLUMNS = (SwapRequest.id, SwapRequest.version, SwapRequest.kind, SwapRequest.state,
                 SwapRequest.shift_id, SwapRequest.other_shift_id, SwapRequest.from_person_id,
                 SwapRequest.to_person_id, SwapRequest.reason, SwapRequest.requested_at,
                 SwapRequest.accepted_at, SwapRequest.approved_at, SwapRequest.decision_note)


def _swap_query(unit_id: int | None, states: tuple[str, ...] | None, person_id: int | None):
    """Swap requests with what their rows show, joined in (the shifts' times, the other
    shift's, both people's names): one statement whatever the number of rows."""
    q = _joined(SwapRequest.__table__)
    if unit_id is not None:
        q = q.where(Shift.unit_id == unit_id)
    if states:
        q = q.where(SwapRequest.state.in_(states))
    if person_id is not None:
        q = q.where((SwapRequest.from_person_id == person_id) | (SwapRequest.to_person_id == person_id))
    return q


def _joined(requests, *extra):
    """`requests` (swap_request, or a page of it as a subquery) newest first, with their
    shifts' times, the other shift's and both names joined in, and `extra` columns."""
    c = requests.c
    return (select(*(c[col.key] for col in _SWAP_COLUMNS), Shift.unit_id, Shift.starts_at, Shift.ends_at,
                   _OTHER_SHIFT.c.starts_at, _OTHER_SHIFT.c.ends_at, _FROM_PERSON.c.name,
                   _TO_PERSON.c.name, *extra)
            .select_from(requests)
            .join(Shift, Shift.id == c.shift_id)
            .outerjoin(_OTHER_SHIFT, _OTHER_SHIFT.c.id == c.other_shift_id)
            .outerjoin(_FROM_PERSON, _FROM_PERSON.c.id == c.from_person_id)
            .outerjoin(_TO_PERSON, _TO_PERSON.c.id == c.to_person_id)
            .order_by(c.requested_at.desc(), c.id.desc()))


def _history_page(s: Session, unit_id: int | None, person_id: int | None, page: int,
                  per_page: int) -> Paged[SwapRow]:
    """One page of the requests, newest first, and how many there are, in one statement
    (see _history_statements)."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    page = max(1, int(page or 1))
    rows_of, count = _history_statements(unit_id is not None, person_id is not None)
    params = {"unit_id": unit_id, "person_id": person_id, "limit": per_page}
    rows = s.execute(rows_of, {**params, "offset": (page - 1) * per_page}).all()
    if not rows and page > 1:   # past the end (the list has shrunk): its last page
        total = s.execute(count, params).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        rows = s.execute(rows_of, {**params, "offset": offset}).all() if total else []
    return Paged([_swap_row(r[:-1]) for r in rows], rows[0][-1] if rows else 0, page, per_page)


@lru_cache(maxsize=4)
def _history_statements(by_unit: bool, by_person: bool):
    """The page of the history (the requests, limited, then joined to what their rows show,
    with the total as a scalar subquery) and the count alone, made once for each filter:
    built on each call, the page's subquery cost more than the statement it saved.

    Joining first read every request of the street with its shift and both names, then
    sorted them to show twenty; and the count was a statement of its own."""
    where = []
    if by_unit:
        where.append(select(Shift.id).where(Shift.id == SwapRequest.shift_id,
                                            Shift.unit_id == bindparam("unit_id", type_=Integer))
                     .correlate(SwapRequest).exists())
    if by_person:
        pid = bindparam("person_id", type_=Integer)
        where.append((SwapRequest.from_person_id == pid) | (SwapRequest.to_person_id == pid))
    total = select(func.count()).select_from(SwapRequest).where(*where).scalar_subquery()
    picked = (select(*_SWAP_COLUMNS).where(*where)
              .order_by(SwapRequest.requested_at.desc(), SwapRequest.id.desc())
              .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
              .subquery("picked"))
    return _joined(picked, total), select(total)


def _times_label(unit_id: int, starts_at: datetime, ends_at: datetime) -> str:
    return shift_label(ShiftFacts(None, unit_id, starts_at, ends_at))


def _swap_row(row) -> SwapRow:
    (swap_id, version, kind, state, shift_id, other_id, from_id, to_id, reason, requested_at,
     accepted_at, approved_at, note, unit_id, starts_at, ends_at, other_starts, other_ends,
     from_name, to_name) = row
    return SwapRow(swap_id, version, kind, state, unit_id, shift_id,
                   _times_label(unit_id, starts_at, ends_at), other_id,
                   _times_label(unit_id, other_starts, other_ends) if other_id else None,
                   PersonRef(from_id, from_name or f"编号{from_id}"),
                   PersonRef(to_id, to_name or f"编号{to_id}"),
                   reason, requested_at, accepted_at, approved_at, note)


def list_swaps(actor: Actor, unit_id: int | None = None, states: tuple[str, ...] | None = None,
               person_id: int | None = None) -> list[SwapRow]:
    """Swap requests in the actor's scope, newest first; `person_id` filters to one party.
    For the open states (a handful); the whole history goes through swaps_page."""
    with reading() as s:
        unit_id = _swap_unit(actor, unit_id)
        states = tuple(states) if states else None
        return list(view_cache.cached(s, ("list_swaps", unit_id, states, person_id), lambda: tuple(
            _swap_row(r) for r in s.execute(_swap_query(unit_id, states, person_id)))))


@dataclass(frozen=True)
class OpenSwaps:
    """The open requests the swap page lists for a person, read together."""

    asked: tuple[SwapRow, ...]      # asked of the person, waiting for their answer
    mine: tuple[SwapRow, ...]       # the person's own, not yet decided
    waiting: tuple[SwapRow, ...]    # accepted, waiting for a shift leader: for approvers only


def open_swaps(actor: Actor, person_id: int | None) -> OpenSwaps:
    """What 待我确认, 我的申请 and 待审批 list, in one statement: the open requests in the
    actor's scope that `person_id` is a party to, and, for an approver, those accepted."""
    with reading() as s:
        unit_id = _swap_unit(actor, None)
        approver = can(actor, "swap.approve")

        def compute() -> OpenSwaps:
            q = _swap_query(unit_id, OPEN_SWAP_STATES, None)
            whose = [SwapRequest.state == "accepted"] if approver else []
            if person_id is not None:
                whose += [SwapRequest.from_person_id == person_id, SwapRequest.to_person_id == person_id]
            if not whose:
                return OpenSwaps((), (), ())
            rows = [_swap_row(r) for r in s.execute(q.where(or_(*whose)))]
            return OpenSwaps(
                tuple(sw for sw in rows if sw.state == "requested" and sw.to_person.id == person_id),
                tuple(sw for sw in rows if sw.from_person.id == person_id),
                tuple(sw for sw in rows if sw.state == "accepted") if approver else ())
        return view_cache.cached(s, ("open_swaps", unit_id, person_id, approver), compute)


def swaps_page(actor: Actor, person_id: int | None = None, page: int = 1,
               per_page: int = SWAPS_PER_PAGE) -> Paged[SwapRow]:
    """One page of every swap request in the actor's scope (申请记录), newest first."""
    with reading() as s:
        unit_id = _swap_unit(actor, None)

        return view_cache.cached(s, ("swaps_page", unit_id, person_id, page, per_page),
                                 lambda: _history_page(s, unit_id, person_id, page, per_page))
