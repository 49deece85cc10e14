"""Training (第十六条): sessions (岗前 / 年度) and attendance.

Recording a passed attendance moves the person's `pre_job_trained_on` /
`yearly_trained_on` in the same transaction: the staffing rules (rules/staffing.py, via
services/roster_common.person_facts) read those dates. The flags are the rules' own
`person_problems`: no pre-job training, or the latest training older than 12 months.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models.org import Person, Unit
from models.oversight import TRAINING_KINDS, TrainingAttendance, TrainingSession
from rules.staffing import person_problems
from services import audit, clock
from services.errors import DomainError, NotFound, ValidationError
from services.oversight.common import TRAINING_KIND_LABELS, today
from services.permissions import Actor, require
from services.roster_common import person_facts
from services.uow import reading, transaction

ARTICLE = "第十六条"
TRAINING_RULES = ("pre_job_training_missing", "yearly_training_overdue")


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


def list_sessions(actor: Actor) -> list[SessionRow]:
    with reading() as s:
        require(actor, "training.read")
        sessions = list(s.execute(select(TrainingSession).options(
            selectinload(TrainingSession.attendances)).order_by(
            TrainingSession.held_on.desc(), TrainingSession.id.desc())).scalars())
        pids = {a.person_id for x in sessions for a in x.attendances}
        people = {p.id: (p.name, u) for p, u in s.execute(
            select(Person, Unit.name).join(Unit, Unit.id == Person.unit_id)
            .where(Person.id.in_(pids or [-1]))).all()}
        return [SessionRow(x.id, x.version, x.kind, x.held_on, x.title, x.trainer, tuple(
            AttendeeRow(a.person_id, *people.get(a.person_id, (f"编号{a.person_id}", "")), bool(a.passed))
            for a in x.attendances)) for x in sessions]


def flags_in(s, on: date, unit_id: int | None = None) -> list[TrainingFlag]:
    """Active permanent staff (those who may be on duty, 第九条) the training rules flag."""
    q = (select(Person, Unit.name).join(Unit, Unit.id == Person.unit_id)
         .where(Person.active.is_(True), Person.employment == "permanent", Unit.active.is_(True)))
    if unit_id is not None:
        q = q.where(Person.unit_id == unit_id)
    out = []
    for p, unit_name in s.execute(q.order_by(Unit.id, Person.name, Person.id)).all():
        for code, text in person_problems(person_facts(p), on):
            if code in TRAINING_RULES:
                out.append(TrainingFlag(p.id, p.name, p.unit_id, unit_name, code,
                                        f"{text}（{ARTICLE}）", p.pre_job_trained_on,
                                        p.yearly_trained_on))
    return out


def training_flags(actor: Actor, on: date | None = None) -> list[TrainingFlag]:
    with reading() as s:
        require(actor, "training.read")
        return flags_in(s, on or today())
