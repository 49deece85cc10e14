"""Leader instructions (领导批示, 第五条、第八条(三)): recorded verbatim, passed on to units
or persons each with a feedback due date, chased and fed back, the result reported back to
the leader (件件有落实、事事有回音). The state is workflows/instruction.py's machine.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_, select, union
from sqlalchemy.orm import Session, selectinload

from models.daily import INSTRUCTION_CHANNELS, Instruction, InstructionTarget
from models.incident import Incident
from models.org import Person, Unit
from services import audit, clock, shifts
from services.daily.common import unit_choices as common_unit_choices
from services.daily.common import (
    aware, load, person_names, text_of, unit_names, unit_of, user_names,
)
from services.paging import Paged, page_bounds
from services.forms import past_time
from services.errors import DomainError, PermissionDenied, ValidationError
from services.permissions import Actor, can, require, scoped_unit
from services.uow import reading, transaction
from workflows import instruction as flow
from workflows.errors import TransitionRefused

ARTICLE = flow.ARTICLE
STATE_LABELS = flow.STATE_LABELS
OPEN_STATES = tuple(x for x in flow.STATES if x != "closed")   # an index-friendly "not closed"
PER_PAGE = 10
CHANNEL_LABELS = {"phone": "电话", "written": "书面批示", "meeting": "会议", "sms": "短信",
                  "system": "系统", "in_person": "当面"}
if set(CHANNEL_LABELS) != set(INSTRUCTION_CHANNELS):
    raise RuntimeError("instruction channels out of step with their labels")


@dataclass
class InstructionInput:
    leader_name: str
    text: str                          # verbatim (原文)
    channel: str = "phone"
    given_at: object = None            # datetime; None = now; naive = Beijing time
    subject: str = ""                  # about what (事由), optional
    unit_id: int | None = None         # the desk that recorded it; None = the actor's
    incident_id: int | None = None


@dataclass
class TargetInput:
    feedback_due: object               # datetime; naive = Beijing time
    unit_id: int | None = None
    person_id: int | None = None


@dataclass(frozen=True)
class TargetRow:
    id: int
    version: int
    instruction_id: int
    unit_id: int | None
    person_id: int | None
    receiver: str
    passed_on_at: datetime
    feedback_due: datetime
    feedback_text: str | None
    fed_back_at: datetime | None
    fed_back_by: str
    overdue: bool                      # no feedback and past its due date (督办)
    late: bool                         # fed back after its due date

    @property
    def status_label(self) -> str:
        if self.fed_back_at is not None:
            return "逾期反馈" if self.late else "已反馈"
        return "已逾期" if self.overdue else "待反馈"


@dataclass(frozen=True)
class InstructionRow:
    id: int
    version: int
    unit_id: int
    leader_name: str
    given_at: datetime
    channel: str
    text: str
    subject: str
    incident_id: int | None
    incident_title: str
    state: str
    recorded_by: str
    result: str | None
    reported_at: datetime | None
    targets: tuple[TargetRow, ...] = field(default=())

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def channel_label(self) -> str:
        return CHANNEL_LABELS.get(self.channel, self.channel)

    @property
    def overdue_count(self) -> int:
        return sum(1 for t in self.targets if t.overdue)

    @property
    def fed_back_count(self) -> int:
        return sum(1 for t in self.targets if t.fed_back_at is not None)

    @property
    def allowed(self) -> list[str]:
        return flow.allowed_triggers(self.state)


def _fire(ins: Instruction, trigger: str, **facts) -> tuple[str, str]:
    try:
        return flow.fire(ins, trigger, **facts)
    except TransitionRefused as exc:
        raise DomainError(exc.message) from exc


def _rows(s: Session, items: list[Instruction], now: datetime) -> list[InstructionRow]:
    targets = [t for i in items for t in i.targets]
    units = unit_names(s, {t.unit_id for t in targets})
    persons = person_names(s, {t.person_id for t in targets})
    users = user_names(s, {i.recorded_by_id for i in items} | {t.fed_back_by_id for t in targets})
    titles = {}
    ids = {i.incident_id for i in items if i.incident_id}
    if ids:
        titles = dict(s.execute(select(Incident.id, Incident.title).where(Incident.id.in_(ids))).all())
    return [InstructionRow(
        i.id, i.version, i.unit_id, i.leader_name, i.given_at, i.channel, i.text, i.subject,
        i.incident_id, titles.get(i.incident_id, ""), i.state, users.get(i.recorded_by_id, ""),
        i.result, i.reported_at,
        tuple(TargetRow(t.id, t.version, i.id, t.unit_id, t.person_id,
                        units.get(t.unit_id) or persons.get(t.person_id) or "",
                        t.passed_on_at, t.feedback_due, t.feedback_text, t.fed_back_at,
                        users.get(t.fed_back_by_id, ""), t.overdue(now),
                        t.fed_back_at is not None and t.fed_back_at > t.feedback_due)
              for t in i.targets)) for i in items]


# ---------------------------------------------------------------- use cases

def create_instruction(s: Session, actor: Actor, form: InstructionInput) -> Instruction:
    """Inside the caller's transaction (a call may open one): the instruction, received."""
    require(actor, "instruction.write", form.unit_id if form.unit_id is not None else actor.unit_id)
    unit_id = unit_of(s, actor, form.unit_id)
    now = clock.now()
    problems = []
    given_at, problem = past_time(form.given_at, "批示时间", now)
    problems += [problem] if problem else []
    leader, text = text_of(form.leader_name), text_of(form.text)
    if not leader:
        problems.append(f"批示领导：不能为空（{ARTICLE}）")
    elif len(leader) > 50:
        problems.append("批示领导：不超过50字")
    if not text:
        problems.append(f"批示内容：须照录原文，不能为空（{ARTICLE}）")
    if form.channel not in CHANNEL_LABELS:
        problems.append(f"批示方式：请选择{'、'.join(CHANNEL_LABELS.values())}")
    if len(text_of(form.subject)) > 200:
        problems.append("事由：不超过200字")
    if form.incident_id is not None and s.get(Incident, form.incident_id) is None:
        problems.append("关联事件：不存在")
    if problems:
        raise ValidationError(problems)
    ins = Instruction(unit_id=unit_id, leader_name=leader, given_at=given_at, channel=form.channel,
                      text=text, subject=text_of(form.subject), incident_id=form.incident_id,
                      state=flow.INITIAL_STATE, recorded_by_id=actor.user_id, recorded_at=now)
    s.add(ins)
    s.flush()
    audit.record(s, actor, "instruction.record", "instruction", ins.id,
                 details={"leader": leader, "channel": form.channel, "incident_id": form.incident_id})
    return ins


def record_instruction(actor: Actor, form: InstructionInput) -> int:
    """登记领导批示 (照录原文)."""
    with transaction() as s:
        return create_instruction(s, actor, form).id


def pass_on(actor: Actor, instruction_id: int, version: int, targets: list[TargetInput]) -> list[int]:
    """传达: to units or persons, each with its feedback due date. While feedback is awaited
    more receivers can be added; the first passing-on moves the instruction to passed_on."""
    with transaction() as s:
        ins = load(s, Instruction, instruction_id, "领导批示", version, lock=True)
        require(actor, "instruction.write", ins.unit_id)
        if ins.state in ("fed_back", "closed"):
            raise DomainError(f"批示已{STATE_LABELS[ins.state]}，不能再传达")
        now = clock.now()
        problems, clean = [], []
        have = {(t.unit_id, t.person_id) for t in ins.targets}
        for n, t in enumerate(targets or [], start=1):
            if (t.unit_id is None) == (t.person_id is None):
                problems.append(f"第{n}个承办方：请选择一个单位或一名人员")
                continue
            if t.unit_id is not None and s.get(Unit, t.unit_id) is None:
                problems.append(f"第{n}个承办方：单位不存在")
                continue
            if t.person_id is not None and s.get(Person, t.person_id) is None:
                problems.append(f"第{n}个承办方：人员不存在")
                continue
            try:
                due = aware(t.feedback_due, "反馈时限")
            except DomainError as exc:
                problems.append(f"第{n}个承办方：{exc.message}")
                continue
            if due is None:
                problems.append(f"第{n}个承办方：反馈时限不能为空（{ARTICLE}）")
            elif due <= now:
                problems.append(f"第{n}个承办方：反馈时限须晚于当前时间")
            elif (t.unit_id, t.person_id) in have:
                problems.append(f"第{n}个承办方：已传达过")
            else:
                have.add((t.unit_id, t.person_id))
                clean.append((t.unit_id, t.person_id, due))
        if not problems and ins.state == "received":
            _fire(ins, "pass_on", has_targets=bool(clean))
        if problems:
            raise ValidationError(problems)
        if not clean:
            raise ValidationError([flow.GUARD_MESSAGES["has_targets"]])
        rows = [InstructionTarget(unit_id=u, person_id=p, passed_on_at=now,
                                  passed_on_by_id=actor.user_id, feedback_due=due)
                for u, p, due in clean]
        ins.targets.extend(rows)
        s.flush()
        shifts.record_item_action(s, "instruction", ins.id, now)
        audit.record(s, actor, "instruction.pass_on", "instruction", ins.id,
                     details={"targets": [[u, p, due] for u, p, due in clean], "state": ins.state})
        return [r.id for r in rows]


def _may_feed_back(actor: Actor, ins: Instruction, t: InstructionTarget) -> bool:
    if t.unit_id is not None and can(actor, "instruction.feedback", t.unit_id):
        return True
    if t.person_id is not None and actor.person_id == t.person_id:
        return True
    return can(actor, "instruction.feedback", ins.unit_id)   # the desk records a phoned answer


def feed_back(actor: Actor, target_id: int, version: int, text: str) -> str:
    """A receiver's feedback (反馈落实情况); returns the instruction's state afterwards."""
    with transaction() as s:
        t = load(s, InstructionTarget, target_id, "承办记录", version)
        ins = load(s, Instruction, t.instruction_id, "领导批示", lock=True)
        if not _may_feed_back(actor, ins, t):
            raise PermissionDenied(f"只有承办单位（人员）或值班台可以登记反馈（{ARTICLE}）",
                                   actor=actor, action="instruction.feedback")
        if t.fed_back_at is not None:
            raise DomainError("该承办方已反馈")
        if ins.state not in ("passed_on", "in_progress"):
            raise DomainError(f"批示当前状态为「{STATE_LABELS[ins.state]}」，不能登记反馈")
        text = text_of(text)
        if not text:
            raise ValidationError([f"反馈内容：不能为空（{ARTICLE}）"])
        now = clock.now()
        t.feedback_text, t.fed_back_at, t.fed_back_by_id = text, now, actor.user_id
        s.flush()
        if all(x.fed_back_at is not None for x in ins.targets):
            _fire(ins, "all_fed_back", all_targets_fed_back=True)
        elif ins.state == "passed_on":
            _fire(ins, "progress", has_feedback=True)
        s.flush()
        shifts.record_item_action(s, "instruction", ins.id, now)
        audit.record(s, actor, "instruction.feed_back", "instruction", ins.id,
                     details={"target_id": t.id, "late": now > t.feedback_due, "state": ins.state})
        return ins.state


def report_to_leader(actor: Actor, instruction_id: int, version: int, result: str) -> None:
    """回复领导: the result of all feedback goes back to the leader; the instruction closes."""
    with transaction() as s:
        ins = load(s, Instruction, instruction_id, "领导批示", version, lock=True)
        require(actor, "instruction.write", ins.unit_id)
        result = text_of(result)
        if ins.state == "fed_back" and not result:
            raise ValidationError([f"落实情况：须写明向领导回复的内容（{ARTICLE}）"])
        _fire(ins, "close", result_reported=bool(result))
        now = clock.now()
        ins.result, ins.reported_at, ins.reported_by_id, ins.closed_at = result, now, actor.user_id, now
        s.flush()
        shifts.record_item_action(s, "instruction", ins.id, now)
        audit.record(s, actor, "instruction.report", "instruction", ins.id)


# ---------------------------------------------------------------- reading

def _scope(actor: Actor, q):
    unit = scoped_unit(actor, "instruction.read")
    if unit is not None:   # a unit's duty officer: its own desk's and those passed on to it
        q = q.where(or_(Instruction.unit_id == unit,
                        Instruction.id.in_(select(InstructionTarget.instruction_id)
                                           .where(InstructionTarget.unit_id == unit))))
    return q


def _query(actor: Actor):
    return _scope(actor, select(Instruction).options(selectinload(Instruction.targets)))


def _open_ids():
    """Ids of the instructions not closed, from the (unit_id, state) index alone."""
    return select(Instruction.id).where(Instruction.state.in_(OPEN_STATES))


def list_instructions(actor: Actor, open_only: bool = True, leader_name: str = "",
                      limit: int = 200) -> list[InstructionRow]:
    with reading() as s:
        q = _query(actor)
        if open_only:
            q = q.where(Instruction.id.in_(_open_ids()))
        if text_of(leader_name):
            q = q.where(Instruction.leader_name == text_of(leader_name))
        items = list(s.execute(q.order_by(Instruction.given_at.desc(), Instruction.id.desc())
                               .limit(limit)).scalars())
        return _rows(s, items, clock.now())


def open_instructions_page(actor: Actor, page: int = 1,
                           per_page: int = PER_PAGE) -> Paged[InstructionRow]:
    """One page of the instructions not closed (传达与督办), newest first, with a count."""
    with reading() as s:
        q = _query(actor).where(Instruction.id.in_(_open_ids()))
        total = s.execute(_scope(actor, select(func.count(Instruction.id)))
                          .where(Instruction.id.in_(_open_ids()))).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        items = list(s.execute(q.order_by(Instruction.given_at.desc(), Instruction.id.desc())
                               .offset(offset).limit(per_page)).scalars()) if total else []
        return Paged(_rows(s, items, clock.now()), total, page, per_page)


def instruction_detail(actor: Actor, instruction_id: int) -> InstructionRow:
    with reading() as s:
        ins = load(s, Instruction, instruction_id, "领导批示")
        if not (can(actor, "instruction.read", ins.unit_id)
                or any(can(actor, "instruction.read", t.unit_id) for t in ins.targets if t.unit_id)):
            require(actor, "instruction.read", ins.unit_id)
        return _rows(s, [ins], clock.now())[0]


@dataclass(frozen=True)
class BoardRow:
    """One line of the leaders' board (件件有落实、事事有回音)."""

    id: int
    leader_name: str
    given_at: datetime
    text: str
    state: str
    receivers: int
    fed_back: int
    overdue: int
    next_due: datetime | None
    result: str | None
    reported_at: datetime | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def standing(self) -> str:
        if self.state == "closed":
            return "已回复领导"
        if self.overdue:
            return f"{self.overdue}个承办方逾期未反馈"
        if self.receivers == 0:
            return "待传达"
        return f"已反馈 {self.fed_back}/{self.receivers}"


def leader_board(actor: Actor, leader_name: str = "", days: int = 90) -> list[BoardRow]:
    """Every instruction of the last `days` (all open ones), by leader, and where it stands.

    Open ones come from the state index and recent ones from the given_at index, never the
    whole history; the receivers are counted in SQL (no target rows are loaded)."""
    now = clock.now()
    with reading() as s:
        wanted = union(_open_ids(), select(Instruction.id).where(
            Instruction.given_at >= now - timedelta(days=days)))
        t = InstructionTarget
        waiting = t.fed_back_at.is_(None)
        agg = (select(t.instruction_id.label("iid"), func.count(t.id).label("receivers"),
                      func.count(t.fed_back_at).label("fed_back"),
                      func.sum(case((and_(waiting, t.feedback_due < now), 1), else_=0)).label("overdue"),
                      func.min(case((waiting, t.feedback_due))).label("next_due"))
               .where(t.instruction_id.in_(wanted)).group_by(t.instruction_id).subquery())
        q = _scope(actor, select(
            Instruction.id, Instruction.leader_name, Instruction.given_at, Instruction.text,
            Instruction.state, agg.c.receivers, agg.c.fed_back, agg.c.overdue, agg.c.next_due,
            Instruction.result, Instruction.reported_at)
            .outerjoin(agg, agg.c.iid == Instruction.id)
            .where(Instruction.id.in_(wanted)))
        if text_of(leader_name):
            q = q.where(Instruction.leader_name == text_of(leader_name))
        return [BoardRow(iid, leader, given, text, state, receivers or 0, fed or 0, overdue or 0,
                         next_due, result, reported)
                for iid, leader, given, text, state, receivers, fed, overdue, next_due, result, reported
                in s.execute(q.order_by(Instruction.leader_name, Instruction.given_at.desc(),
                                        Instruction.id.desc()))]


def unit_choices(actor: Actor) -> dict[int, str]:
    """The active units the actor sees, to pass an instruction on to: id → name, in the
    directory's order (street office first)."""
    with reading() as s:
        return common_unit_choices(s, scoped_unit(actor, "unit.read"))


def awaiting_my_feedback(actor: Actor) -> list[TargetRow]:
    """Receivers the actor answers for (their unit or themselves) still owing feedback.

    One query: the waiting targets by the unit_id and person_id indexes (a union, not an OR
    that would read every target ever), with their instructions."""
    with reading() as s:
        waiting = InstructionTarget.fed_back_at.is_(None)
        parts = []
        if actor.unit_id is not None:
            parts.append(select(InstructionTarget.instruction_id)
                         .where(InstructionTarget.unit_id == actor.unit_id, waiting))
        if actor.person_id is not None:
            parts.append(select(InstructionTarget.instruction_id)
                         .where(InstructionTarget.person_id == actor.person_id, waiting))
        if not parts:
            return []
        items = list(s.execute(select(Instruction).options(selectinload(Instruction.targets))
                               .where(Instruction.id.in_(union(*parts) if len(parts) > 1 else parts[0]))
                               .order_by(Instruction.given_at, Instruction.id)).scalars())
        if not items:
            return []
        return [t for row in _rows(s, items, clock.now()) for t in row.targets
                if t.fed_back_at is None
                and (t.unit_id == actor.unit_id or (actor.person_id and t.person_id == actor.person_id))]
