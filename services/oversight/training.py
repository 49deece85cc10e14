"""Training (第十六条): sessions (岗前 / 年度) and attendance.

Recording a passed attendance moves the person's `pre_job_trained_on` /
`yearly_trained_on` in the same transaction: the staffing rules (rules/staffing.py, via
services/roster_common.person_facts) read those dates. The flags are the rules' own
`person_problems`: no pre-job training, or the latest training older than 12 months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from models.org import Person, Unit
from models.oversight import TRAINING_KINDS, TrainingAttendance, TrainingSession
from rules.staffing import person_problems
from services import audit, clock, view_cache
from services.paging import Paged, page_bounds
from services.errors import DomainError, NotFound, ValidationError
from services.oversight.common import TRAINING_KIND_LABELS, today
from services.permissions import Actor, require
from services.roster_common import person_facts
from services.uow import reading, transaction

ARTICLE = "第十六条"
TRAINING_RULES = ("pre_job_training_missing", "yearly_training_overdue")
PER_PAGE = 5          # sessions per page, newest first: each carries its attendees' table


@dataclass(frozen=True)
class AttendeeRow:
    person_id: int
    name: str
    unit_name: str
    passed: bool


@dataclass(frozen=True)
class SessionRow:
    id: int
    version: int
    kind: str
    held_on: date
    title: str
    trainer: str
    attendees: tuple[AttendeeRow, ...]

    @property
    def kind_label(self) -> str:
        return TRAINING_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class TrainingFlag:
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    rule_code: str
    message: str
    pre_job_trained_on: date | None
    yearly_trained_on: date | None

    def as_dict(self) -> dict:
        return {"姓名": self.name, "单位": self.unit_name,
                "问题": "未参加岗前培训" if self.rule_code == "pre_job_training_missing" else "年度培训逾期",
                "岗前培训": self.pre_job_trained_on.isoformat() if self.pre_job_trained_on else "",
                "最近年度培训": self.yearly_trained_on.isoformat() if self.yearly_trained_on else "",
                "说明": self.message}


def create_session(actor: Actor, kind: str, held_on: date | None, title: str, trainer: str = "") -> int:
    with transaction() as s:
        require(actor, "training.write")
        problems = []
        if kind not in TRAINING_KINDS:
            problems.append("培训类型：应为" + "、".join(TRAINING_KIND_LABELS.values()) + f"之一（{ARTICLE}）")
        if held_on is None:
            problems.append(f"培训日期：不能为空（{ARTICLE}）")
        if not (title or "").strip():
            problems.append(f"培训名称：不能为空（{ARTICLE}）")
        elif len(title.strip()) > 200:
            problems.append("培训名称：不能超过200字")
        if problems:
            raise ValidationError(problems)
        session = TrainingSession(kind=kind, held_on=held_on, title=title.strip(),
                                  trainer=(trainer or "").strip()[:100],
                                  created_by_id=actor.user_id, created_at=clock.now())
        s.add(session)
        s.flush()
        audit.record(s, actor, "training.session_create", "training_session", session.id,
                     details={"kind": kind, "held_on": held_on})
        return session.id


def record_attendance(actor: Actor, session_id: int, person_ids: list[int], passed: bool = True) -> int:
    """Record who attended (and passed); a pass updates the person's training date in the
    same transaction (第十六条). Returns how many were recorded."""
    with transaction() as s:
        require(actor, "training.write")
        session = s.get(TrainingSession, session_id)
        if session is None:
            raise NotFound("培训不存在")
        if session.held_on > today():
            raise DomainError(f"参训人员：培训在{session.held_on.isoformat()}举行，尚未举行，不能登记参训（{ARTICLE}）")
        if not person_ids:
            raise ValidationError([f"参训人员：请至少选择一人（{ARTICLE}）"])
        recorded = {a.person_id for a in session.attendances}
        now = clock.now()
        problems = []
        people = []
        for pid in dict.fromkeys(person_ids):
            p = s.get(Person, pid)
            if p is None:
                problems.append(f"参训人员：编号{pid}的人员不存在")
            elif pid in recorded:
                problems.append(f"参训人员：{p.name}已登记参加本次培训")
            else:
                people.append(p)
        if problems:
            raise ValidationError(problems)
        for p in people:
            session.attendances.append(TrainingAttendance(
                person_id=p.id, passed=bool(passed), recorded_by_id=actor.user_id, recorded_at=now))
            if passed:
                if session.kind == "pre_job":
                    if p.pre_job_trained_on is None or session.held_on < p.pre_job_trained_on:
                        p.pre_job_trained_on = session.held_on
                elif p.yearly_trained_on is None or session.held_on > p.yearly_trained_on:
                    p.yearly_trained_on = session.held_on
        s.flush()
        audit.record(s, actor, "training.attendance", "training_session", session.id,
                     details={"people": [p.id for p in people], "passed": bool(passed)})
        return len(people)


def _session_rows(s, sessions: list[TrainingSession]) -> list[SessionRow]:
    """Rows of these sessions with their attendees, in one query whatever their number."""
    attendees: dict[int, list[AttendeeRow]] = {x.id: [] for x in sessions}
    for sid, pid, passed, name, unit_name in s.execute(
            select(TrainingAttendance.session_id, TrainingAttendance.person_id, TrainingAttendance.passed,
                   Person.name, Unit.name)
            .outerjoin(Person, Person.id == TrainingAttendance.person_id)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .where(TrainingAttendance.session_id.in_(list(attendees) or [-1]))
            .order_by(TrainingAttendance.id)).all():
        attendees[sid].append(AttendeeRow(pid, name if name is not None else f"编号{pid}",
                                          unit_name or "", bool(passed)))
    return [SessionRow(x.id, x.version, x.kind, x.held_on, x.title, x.trainer, tuple(attendees[x.id]))
            for x in sessions]


_NEWEST_FIRST = (TrainingSession.held_on.desc(), TrainingSession.id.desc())


def list_sessions(actor: Actor) -> list[SessionRow]:
    """Every session, newest first; session_page reads one page of them."""
    with reading() as s:
        require(actor, "training.read")
        return _session_rows(s, list(s.execute(select(TrainingSession).order_by(*_NEWEST_FIRST)).scalars()))


def session_page(actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> Paged[SessionRow]:
    """One page of the sessions, newest first, with their attendees: three queries."""
    with reading() as s:
        require(actor, "training.read")
        # Kept until a session or an attendance is recorded (or a person renamed).
        return view_cache.cached(s, ("training.session_page", page, per_page),
                                 lambda: _session_page(s, page, per_page))


def _session_page(s, page: int, per_page: int) -> Paged[SessionRow]:
    total = s.execute(select(func.count()).select_from(TrainingSession)).scalar_one()
    page, offset = page_bounds(page, per_page, total)
    sessions = list(s.execute(select(TrainingSession).order_by(*_NEWEST_FIRST)
                              .offset(offset).limit(per_page)).scalars())
    return Paged(_session_rows(s, sessions), total, page, per_page)


def attendance_choices(actor: Actor) -> dict[int, str]:
    """Who may be recorded as attending: active people, "姓名（单位）", by unit and name."""
    with reading() as s:
        require(actor, "training.write")
        return {pid: f"{name}（{unit_name}）" for pid, name, unit_name in s.execute(
            select(Person.id, Person.name, Unit.name).join(Unit, Unit.id == Person.unit_id)
            .where(Person.active.is_(True)).order_by(Unit.name, Person.name, Person.id)).all()}


def flags_in(s, on: date, unit_id: int | None = None) -> list[TrainingFlag]:
    """Active permanent staff (those who may be on duty, 第九条) the training rules flag.

    SQL keeps only those whose dates may fail person_problems on `on` (no pre-job training
    by then, or no training of either kind in the twelve months before); the rules then
    decide and word each flag, as for a roster."""
    cutoff = on - timedelta(days=365)     # never before the rules' "a year before" (leap days)
    pre, yearly = Person.pre_job_trained_on, Person.yearly_trained_on
    maybe = or_(pre.is_(None), pre > on,
                and_(pre < cutoff, or_(yearly.is_(None), yearly > on, yearly < cutoff)))
    q = (select(Person.id, Person.name, Person.unit_id, Person.employment, Person.can_lead_shift,
                pre, yearly, Person.active, Unit.name.label("unit_name"))
         .join(Unit, Unit.id == Person.unit_id)
         .where(Person.active.is_(True), Person.employment == "permanent", Unit.active.is_(True), maybe))
    if unit_id is not None:
        q = q.where(Person.unit_id == unit_id)
    out = []
    for p in s.execute(q.order_by(Unit.id, Person.name, Person.id)).all():
        for code, text in person_problems(person_facts(p), on):   # a row has the person's fields
            if code in TRAINING_RULES:
                out.append(TrainingFlag(p.id, p.name, p.unit_id, p.unit_name, code,
                                        f"{text}（{ARTICLE}）", p.pre_job_trained_on,
                                        p.yearly_trained_on))
    return out


def training_flags(actor: Actor, on: date | None = None) -> list[TrainingFlag]:
    on = on or today()
    with reading() as s:
        require(actor, "training.read")
        # Kept for the day until people (their training dates) or units change.
        return list(view_cache.cached(s, ("training.flags", on), lambda: tuple(flags_in(s, on))))
