"""Calls (来电, 第十一条) with their first-contact owner (首接负责, 第十二条).

Quick entry while on the phone: the time is now, the owner is whoever took the call.
From a call one click opens an incident (the intake prefilled from the call), a
verification request (核报) or a leader instruction, in the same transaction as the link.
Ownership moves only through a transfer the receiver accepts; a call is closed with its
result. Open calls are open items at the handover (第十四条, services.open_items).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.auth import User, UserRole
from models.daily import CALL_IMPORTANCE, CALL_KINDS, Call, CallTransfer
from models.roster import Handover, HandoverItem, ShiftOfficer
from rules.validation import control_problem
from services import audit, clock, shifts
from services.daily.common import load, text_of, unit_of, user_names
from services.paging import Paged, page_bounds
from services.forms import past_time
from services.errors import DomainError, PermissionDenied, ValidationError
from services.permissions import DUTY_ROLES, SHIFT_LEADER, SYSTEM, Actor, require, scoped_unit
from services.uow import reading, transaction

ARTICLE = "第十一条"
OWNER_ARTICLE = "第十二条"
KIND_LABELS = {
    "information_report": "信息报告", "verification_request": "核实要求（核报）",
    "consultation": "咨询", "complaint": "投诉", "leader_instruction": "领导指示", "other": "其他",
}
IMPORTANCE_LABELS = {"normal": "一般", "important": "重要", "urgent": "紧急"}
STATE_LABELS = {"open": "办理中", "closed": "已办结"}
if set(KIND_LABELS) != set(CALL_KINDS) or set(IMPORTANCE_LABELS) != set(CALL_IMPORTANCE):
    raise RuntimeError("call kinds or importances out of step with their labels")


@dataclass
class CallInput:
    """The quick-entry form: only the summary is required; the time is now by default."""

    summary: str
    kind: str = "information_report"
    caller: str = ""
    caller_unit: str = ""
    number: str = ""
    importance: str = "normal"
    at: object = None                 # datetime; None = now; naive = Beijing time
    unit_id: int | None = None        # None = the actor's unit


@dataclass(frozen=True)
class TransferRow:
    id: int
    version: int
    call_id: int
    from_name: str
    to_user_id: int
    to_name: str
    requested_at: datetime
    reason: str
    status: str                       # pending | accepted | declined | cancelled
    decline_reason: str | None


@dataclass(frozen=True)
class CallRow:
    id: int
    version: int
    unit_id: int
    at: datetime
    caller: str
    caller_unit: str
    number: str
    kind: str
    summary: str
    importance: str
    owner_user_id: int
    owner_name: str
    state: str
    result: str | None
    closed_at: datetime | None
    incident_id: int | None
    verification_request_id: int | None
    instruction_id: int | None
    transfers: tuple[TransferRow, ...] = ()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def importance_label(self) -> str:
        return IMPORTANCE_LABELS.get(self.importance, self.importance)

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def pending_transfer(self) -> TransferRow | None:
        return next((t for t in self.transfers if t.status == "pending"), None)

    @property
    def caller_text(self) -> str:
        return "，".join(x for x in (self.caller_unit, self.caller, self.number) if x) or "未留姓名"


def _status(t: CallTransfer) -> str:
    if t.accepted_at:
        return "accepted"
    if t.declined_at:
        return "declined"
    if t.cancelled_at:
        return "cancelled"
    return "pending"


def _rows(s: Session, calls: list[Call]) -> list[CallRow]:
    names = user_names(s, {c.owner_user_id for c in calls}
                       | {u for c in calls for t in c.transfers for u in (t.from_user_id, t.to_user_id)})
    return [CallRow(
        c.id, c.version, c.unit_id, c.at, c.caller, c.caller_unit, c.number, c.kind, c.summary,
        c.importance, c.owner_user_id, names.get(c.owner_user_id, ""), c.state, c.result,
        c.closed_at, c.incident_id, c.verification_request_id, c.instruction_id,
        tuple(TransferRow(t.id, t.version, c.id, names.get(t.from_user_id, ""), t.to_user_id,
                          names.get(t.to_user_id, ""), t.requested_at, t.reason, _status(t),
                          t.decline_reason) for t in c.transfers)) for c in calls]


def _is_leader(actor: Actor) -> bool:
    return SHIFT_LEADER in actor.roles or SYSTEM in actor.roles


def _passed_on_to(s: Session, actor: Actor, call: Call) -> bool:
    """The call was passed on at a signed handover to a shift the actor is an officer of
    (续办上一班的未尽事宜, 第十四条)."""
    if actor.person_id is None:
        return False
    return s.execute(select(HandoverItem.id).join(Handover, Handover.id == HandoverItem.handover_id)
                     .join(ShiftOfficer, ShiftOfficer.shift_id == Handover.incoming_shift_id)
                     .where(HandoverItem.kind == "call", HandoverItem.ref_id == str(call.id),
                            HandoverItem.passed_on.is_(True), Handover.state == "signed",
                            ShiftOfficer.person_id == actor.person_id).limit(1)).first() is not None


def _owner_or_leader(actor: Actor, call: Call, what: str, s: Session | None = None) -> None:
    """第十二条: whoever took the call follows it to the end; a shift leader may step in, and
    so may the officer a handover passed it on to (第十四条)."""
    if actor.user_id == call.owner_user_id or _is_leader(actor):
        return
    if s is not None and _passed_on_to(s, actor, call):
        return
    raise PermissionDenied(f"只有首接负责人或带班领导可以{what}（{OWNER_ARTICLE}）",
                           actor=actor, action="call.write")


def _open_call(s: Session, actor: Actor, call_id: int, version: int | None, what: str) -> Call:
    call = load(s, Call, call_id, "来电记录", version, lock=True)
    require(actor, "call.write", call.unit_id)
    _owner_or_leader(actor, call, what, s)
    if call.state != "open":
        raise DomainError(f"该来电已办结，不能{what}")
    return call


def _touched(s: Session, call: Call, at: datetime | None = None) -> None:
    """Any action on a call follows up a handed-over call (第十四条)."""
    shifts.record_item_action(s, "call", call.id, at or clock.now())


# ---------------------------------------------------------------- quick entry

def log_call(actor: Actor, form: CallInput) -> int:
    """来电登记: recorded at once, owned by the actor (首接负责, 第十二条)."""
    with transaction() as s:
        require(actor, "call.write", form.unit_id if form.unit_id is not None else actor.unit_id)
        unit_id = unit_of(s, actor, form.unit_id)
        now = clock.now()
        problems = []
        at, problem = past_time(form.at, "来电时间", now)
        problems += [problem] if problem else []
        summary = text_of(form.summary)
        if not summary:
            problems.append(f"来电内容：不能为空，重要来电须准确、详细记录（{ARTICLE}）")
        if form.kind not in KIND_LABELS:
            problems.append(f"来电类型：请选择{'、'.join(KIND_LABELS.values())}")
        if form.importance not in IMPORTANCE_LABELS:
            problems.append("重要程度：请选择一般、重要或紧急")
        caller, caller_unit, number = (text_of(form.caller), text_of(form.caller_unit),
                                       text_of(form.number))
        if len(caller) > 100 or len(caller_unit) > 100 or len(number) > 50:
            problems.append("来电人/单位/号码：过长")
        problems += [p for p in (control_problem(label, value) for label, value in (
            ("来电内容", summary), ("来电人", caller), ("来电单位", caller_unit),
            ("来电号码", number))) if p]
        if form.importance != "normal" and not (caller or caller_unit or number):
            problems.append(f"来电人：重要来电须记录来电人、单位或号码之一（{ARTICLE}）")
        if problems:
            raise ValidationError(problems)
        call = Call(unit_id=unit_id, at=at, caller=caller, caller_unit=caller_unit, number=number,
                    kind=form.kind, summary=summary, importance=form.importance,
                    owner_user_id=actor.user_id, taken_by_id=actor.user_id, state="open")
        s.add(call)
        s.flush()
        audit.record(s, actor, "call.log", "call", call.id,
                     details={"kind": call.kind, "importance": call.importance, "unit_id": unit_id})
        return call.id


def close_call(actor: Actor, call_id: int, version: int, result: str) -> None:
    """办结: the owner records the result (及时办理和回告, 第十二条)."""
    with transaction() as s:
        call = _open_call(s, actor, call_id, version, "办结")
        result = text_of(result)
        if not result:
            raise ValidationError([f"办理结果：不能为空，须回告办理情况（{OWNER_ARTICLE}）"])
        pending = [t for t in call.transfers if t.pending]
        for t in pending:
            t.cancelled_at = clock.now()
        call.state, call.result, call.closed_at = "closed", result, clock.now()
        call.closed_by_id = actor.user_id
        s.flush()
        _touched(s, call)
        audit.record(s, actor, "call.close", "call", call.id,
                     details={"cancelled_transfers": [t.id for t in pending]})


# ---------------------------------------------------------------- one click from a call

def open_incident(actor: Actor, call_id: int, version: int, category: str, place: str,
                  title: str = "", level: str | None = None, occurred_at=None) -> int:
    """转为突发事件: the intake is prefilled from the call (caller, number, time, summary);
    the incident is owned by the actor like the call (第十二条)."""
    from services.incidents.intake import IntakeInput, create_incident

    with transaction() as s:
        call = _open_call(s, actor, call_id, version, "转为突发事件")
        if call.incident_id is not None:
            raise DomainError("该来电已转为突发事件")
        form = IntakeInput(
            title=text_of(title) or call.summary[:60], occurred_at=occurred_at or call.at,
            place=place, category=category, source_kind="phone",
            source_text="，".join(x for x in (call.caller_unit, call.caller) if x)[:200],
            level=level, description=call.summary, received_at=call.at, unit_id=call.unit_id,
            caller=call.caller, caller_number=call.number)
        inc = create_incident(s, actor, form)
        call.incident_id = inc.id
        s.flush()
        _touched(s, call)
        audit.record(s, actor, "call.open_incident", "call", call.id, details={"incident_id": inc.id})
        return inc.id


def open_verification_request(actor: Actor, call_id: int, version: int,
                              written_required: bool = False) -> int:
    """登记为核报: the district's request as the call recorded it (第二十条)."""
    from services.incidents.verification import VerificationInput, create_verification_request

    with transaction() as s:
        call = _open_call(s, actor, call_id, version, "登记为核报")
        if call.verification_request_id is not None:
            raise DomainError("该来电已登记为核报")
        v = create_verification_request(s, actor, VerificationInput(
            content=call.summary, requested_at=call.at,
            requester="，".join(x for x in (call.caller_unit, call.caller) if x)[:100]
            or "区政府办公室总值班室",
            written_required=bool(written_required), unit_id=call.unit_id,
            incident_id=call.incident_id))
        call.verification_request_id = v.id
        s.flush()
        _touched(s, call)
        audit.record(s, actor, "call.open_verification", "call", call.id,
                     details={"verification_request_id": v.id})
        return v.id


def open_instruction(actor: Actor, call_id: int, version: int, leader_name: str,
                     text: str = "", channel: str = "phone") -> int:
    """登记为领导批示: the leader's words verbatim (default: the call's summary)."""
    from services.daily import instructions

    with transaction() as s:
        call = _open_call(s, actor, call_id, version, "登记为领导批示")
        if call.instruction_id is not None:
            raise DomainError("该来电已登记为领导批示")
        ins = instructions.create_instruction(s, actor, instructions.InstructionInput(
            leader_name=leader_name, text=text_of(text) or call.summary, channel=channel,
            given_at=call.at, unit_id=call.unit_id, incident_id=call.incident_id))
        call.instruction_id = ins.id
        s.flush()
        _touched(s, call)
        audit.record(s, actor, "call.open_instruction", "call", call.id,
                     details={"instruction_id": ins.id})
        return ins.id


# ---------------------------------------------------------------- transfers (第十二条)

def request_transfer(actor: Actor, call_id: int, version: int, to_user_id: int, reason: str) -> int:
    """Ask a colleague to take the call over; it stays the actor's until they accept."""
    with transaction() as s:
        call = _open_call(s, actor, call_id, version, "发起交接")
        reason = text_of(reason)
        problems = []
        if not reason:
            problems.append(f"交接说明：不能为空，须交代清楚办理情况（{OWNER_ARTICLE}）")
        target = s.get(User, to_user_id) if to_user_id is not None else None
        if target is None or not target.active:
            problems.append("接收人：请选择在用的账号")
        elif to_user_id == call.owner_user_id:
            problems.append("接收人：不能交给首接负责人本人")
        elif not (set(target.role_codes) & DUTY_ROLES):
            problems.append("接收人：须为值班人员")
        if any(t.pending for t in call.transfers):
            problems.append("该来电已有待接受的交接，请先撤回")
        if problems:
            raise ValidationError(problems)
        t = CallTransfer(call_id=call.id, from_user_id=call.owner_user_id, to_user_id=to_user_id,
                         requested_by_id=actor.user_id, requested_at=clock.now(), reason=reason)
        call.transfers.append(t)
        s.flush()
        _touched(s, call)
        audit.record(s, actor, "call.transfer_request", "call", call.id,
                     details={"transfer_id": t.id, "to_user_id": to_user_id})
        return t.id


def _pending(s: Session, transfer_id: int, version: int | None) -> CallTransfer:
    t = load(s, CallTransfer, transfer_id, "交接记录", version, lock=True)
    if not t.pending:
        raise DomainError("该交接已处理")
    return t


def accept_transfer(actor: Actor, transfer_id: int, version: int) -> None:
    """The receiver accepts: from now on the call is theirs (第十二条)."""
    with transaction() as s:
        t = _pending(s, transfer_id, version)
        call = load(s, Call, t.call_id, "来电记录", lock=True)
        require(actor, "call.write", call.unit_id)
        if actor.user_id != t.to_user_id:
            raise PermissionDenied(f"只有接收人本人可以接受交接（{OWNER_ARTICLE}）", actor=actor,
                                   action="call.transfer")
        if call.state != "open":
            raise DomainError("该来电已办结")
        now = clock.now()
        t.accepted_at = now
        previous, call.owner_user_id = call.owner_user_id, actor.user_id
        s.flush()
        _touched(s, call, now)
        audit.record(s, actor, "call.transfer_accept", "call", call.id,
                     details={"transfer_id": t.id, "from_user_id": previous})


def decline_transfer(actor: Actor, transfer_id: int, version: int, reason: str = "") -> None:
    with transaction() as s:
        t = _pending(s, transfer_id, version)
        call = s.get(Call, t.call_id)
        require(actor, "call.write", call.unit_id)
        if actor.user_id != t.to_user_id:
            raise PermissionDenied("只有接收人本人可以拒绝交接", actor=actor, action="call.transfer")
        t.declined_at, t.decline_reason = clock.now(), text_of(reason) or None
        s.flush()
        audit.record(s, actor, "call.transfer_decline", "call", call.id, details={"transfer_id": t.id})


def cancel_transfer(actor: Actor, transfer_id: int, version: int) -> None:
    with transaction() as s:
        t = _pending(s, transfer_id, version)
        call = s.get(Call, t.call_id)
        require(actor, "call.write", call.unit_id)
        _owner_or_leader(actor, call, "撤回交接")
        t.cancelled_at = clock.now()
        s.flush()
        audit.record(s, actor, "call.transfer_cancel", "call", call.id, details={"transfer_id": t.id})


# ---------------------------------------------------------------- reading

def _scope(actor: Actor, q):
    unit = scoped_unit(actor, "call.read")
    return q.where(Call.unit_id == unit) if unit is not None else q


def _query(actor: Actor):
    return _scope(actor, select(Call).options(selectinload(Call.transfers)))


def _open_ids(actor: Actor):
    """The open calls' ids, read from the (unit_id, state) index alone, however long the
    history of closed calls (the rows are then fetched by primary key)."""
    return _scope(actor, select(Call.id).where(Call.state == "open"))


def open_calls(actor: Actor) -> list[CallRow]:
    """Calls still being handled in the actor's scope, newest first (the desk, the handover)."""
    with reading() as s:
        calls = list(s.execute(select(Call).options(selectinload(Call.transfers))
                               .where(Call.id.in_(_open_ids(actor)))
                               .order_by(Call.at.desc(), Call.id.desc())).scalars())
        return _rows(s, calls)


PER_PAGE = 10


def open_calls_page(actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> Paged[CallRow]:
    """One page of the open calls in the actor's scope, newest first (the calls page):
    a count and `per_page` calls with their transfers, however many are open."""
    with reading() as s:
        total = s.execute(select(func.count()).select_from(_open_ids(actor).subquery())).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        calls = list(s.execute(select(Call).options(selectinload(Call.transfers))
                               .where(Call.id.in_(_open_ids(actor)))
                               .order_by(Call.at.desc(), Call.id.desc())
                               .offset(offset).limit(per_page)).scalars()) if total else []
        return Paged(_rows(s, calls), total, page, per_page)


def list_calls(actor: Actor, start: datetime | None = None, end: datetime | None = None,
               limit: int = 200) -> list[CallRow]:
    with reading() as s:
        q = _query(actor)
        if start is not None:
            q = q.where(Call.at >= start)
        if end is not None:
            q = q.where(Call.at < end)
        calls = list(s.execute(q.order_by(Call.at.desc(), Call.id.desc()).limit(limit)).scalars())
        return _rows(s, calls)


def call_detail(actor: Actor, call_id: int) -> CallRow:
    with reading() as s:
        call = load(s, Call, call_id, "来电记录")
        require(actor, "call.read", call.unit_id)
        return _rows(s, [call])[0]


def pending_transfers(actor: Actor) -> list[TransferRow]:
    """Transfers waiting for the actor to accept or decline."""
    with reading() as s:
        require(actor, "call.read", actor.unit_id)
        calls = list(s.execute(select(Call).options(selectinload(Call.transfers)).join(
            CallTransfer, CallTransfer.call_id == Call.id).where(
            CallTransfer.to_user_id == actor.user_id, CallTransfer.accepted_at.is_(None),
            CallTransfer.declined_at.is_(None), CallTransfer.cancelled_at.is_(None))).scalars().unique())
        return [t for row in _rows(s, calls) for t in row.transfers
                if t.status == "pending" and t.to_user_id == actor.user_id]


def transfer_candidates(actor: Actor, call_id: int) -> dict[int, str]:
    """Active duty accounts of the call's unit other than its owner: user id → name."""
    with reading() as s:
        call = load(s, Call, call_id, "来电记录")
        require(actor, "call.read", call.unit_id)
        return {uid: name for uid, name in _candidates(s, {call.unit_id})[call.unit_id].items()
                if uid != call.owner_user_id}


def _candidates(s: Session, unit_ids: set[int]) -> dict[int, dict[int, str]]:
    """unit id → its active duty accounts (user id → name), by name; one query."""
    out: dict[int, dict[int, str]] = {u: {} for u in unit_ids}
    if not unit_ids:
        return out
    rows = s.execute(select(User.unit_id, User.id, User.display_name)
                     .where(User.active.is_(True), User.unit_id.in_(sorted(unit_ids)),
                            User.id.in_(select(UserRole.user_id)
                                        .where(UserRole.role.in_(sorted(DUTY_ROLES)))))
                     .order_by(User.display_name, User.id)).all()
    for unit_id, uid, name in rows:
        out[unit_id][uid] = name
    return out


def transfer_options(actor: Actor, rows: list[CallRow]) -> dict[int, dict[int, str]]:
    """For the calls on a page at once: call id → who it can be handed to (the active duty
    accounts of its unit other than its owner), in one query."""
    with reading() as s:
        for unit_id in {r.unit_id for r in rows}:
            require(actor, "call.read", unit_id)
        by_unit = _candidates(s, {r.unit_id for r in rows})
        return {r.id: {uid: name for uid, name in by_unit[r.unit_id].items()
                       if uid != r.owner_user_id} for r in rows}
