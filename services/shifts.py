"""The live shift: check-in, the signed handover and who is on duty now (第十三、十四条).

- check_in: an officer of the shift checks in; later than 10 minutes before the start is
  recorded as late (第十四条 提前10分钟到岗). The first duty officer's check-in puts the
  shift on duty (workflows/shift.py).
- the handover: the outgoing officer writes the summary and the equipment check
  (第十三、二十三条), the open items are gathered from their owners (services/open_items.py),
  the outgoing officer confirms, and the incoming officer signs with their own password.
  Then, in one transaction, the outgoing shift is handed over and the incoming shift is
  on duty.
- responsibility (第十四条): for each open item, who answers for it is derived from the
  facts by rules/handover.py and kept on the item for the log book.
- the board: every unit's current shift, officers, shift leader and duty phone; units
  without cover are flagged.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (Integer, String, and_, any_, bindparam, cast, func, literal_column,
                        null, or_, select, union_all)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import flag_modified

from models.auth import User
from models.org import Person, Unit
from models.roster import CheckIn, Handover, HandoverItem, Roster, Shift, ShiftOfficer
from rules.handover import FINDINGS, PARTY_LABELS, ItemFacts, Responsibility, responsibility
from rules.staffing import LONGEST_SHIFT, shift_label
from services import audit, auth, clock, open_items, view_cache
from services.daily import logbook
from services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from services.permissions import Actor, require, scoped_unit
from services.roster_common import (
    PersonRef, get_or_404, load_for_edit, shift_facts,
)
from services.uow import reading, transaction
from workflows import shift as shift_flow
from workflows.errors import TransitionRefused

__all__ = [
    "DEFAULT_EQUIPMENT", "LATE_MARGIN", "EquipmentCheck", "CheckInResult", "CheckInRow",
    "ShiftBrief", "ItemRow", "HandoverView", "BoardRow", "DutyBoard", "equipment_items",
    "check_in", "my_shifts", "shift_brief", "start_handover", "save_handover",
    "refresh_open_items", "set_item_passed_on", "confirm_outgoing", "confirm_incoming",
    "handover_view", "handover_for_shift", "mark_item_acted_on", "record_item_action",
    "item_responsibility", "duty_board", "Signer", "incoming_signers",
]

# 第十三、二十三条: the duty room's equipment, checked at every handover.
DEFAULT_EQUIPMENT = ("值班电话", "传真机", "计算机", "打印机", "值班调度台", "值班资料柜", "值班记录本")
LATE_MARGIN = timedelta(minutes=10)        # 第十四条 提前10分钟到岗
CHECK_IN_OPENS = timedelta(hours=2)        # earliest check-in before the start
MAX_SUMMARY = 5000


def equipment_items() -> list[str]:
    """The equipment checklist: DUTYDESK_HANDOVER_EQUIPMENT (separated by 、 or ,) or the default."""
    raw = os.environ.get("DUTYDESK_HANDOVER_EQUIPMENT", "")
    items = [p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()]
    return items or list(DEFAULT_EQUIPMENT)


# ---------------------------------------------------------------- what pages get

@dataclass(frozen=True)
class EquipmentCheck:
    item: str
    ok: bool | None = None      # None: not checked yet
    note: str = ""


@dataclass(frozen=True)
class CheckInResult:
    shift_id: int
    person_id: int
    at: datetime
    late: bool
    state: str
    message: str


@dataclass(frozen=True)
class CheckInRow:
    person_id: int
    name: str
    at: datetime
    late: bool


@dataclass(frozen=True)
class ShiftBrief:
    id: int
    version: int
    unit_id: int
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    label: str
    state: str
    officers: tuple[PersonRef, ...]
    leader: PersonRef | None
    check_ins: tuple[CheckInRow, ...]
    role: str | None = None                  # the actor's: officer | leader (my_shifts)
    outgoing_handover_id: int | None = None  # the handover this shift gives
    incoming_handover_id: int | None = None  # the handover this shift takes

    @property
    def state_label(self) -> str:
        return shift_flow.STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class ItemRow:
    id: int
    kind: str
    ref_id: str
    title: str
    since: datetime | None
    due_at: datetime | None
    passed_on: bool
    acknowledged_at: datetime | None
    acted_on_at: datetime | None
    responsible: str | None               # outgoing | incoming, as now derived (第十四条)
    responsible_person: PersonRef | None
    finding: str | None
    message: str

    @property
    def kind_label(self) -> str:
        return open_items.kind_label(self.kind)

    @property
    def responsible_label(self) -> str:
        return PARTY_LABELS.get(self.responsible, "") if self.responsible else ""


@dataclass(frozen=True)
class HandoverView:
    id: int
    version: int
    state: str                       # draft | signed
    outgoing: ShiftBrief
    incoming: ShiftBrief
    summary: str
    equipment: list[EquipmentCheck]
    items: list[ItemRow]
    created_at: datetime
    outgoing_confirmed_by: str | None
    outgoing_confirmed_at: datetime | None
    incoming_confirmed_by: str | None
    incoming_confirmed_at: datetime | None

    @property
    def signed(self) -> bool:
        return self.state == "signed"

    @property
    def faults(self) -> list[EquipmentCheck]:
        return [e for e in self.equipment if e.ok is False]


@dataclass(frozen=True)
class BoardRow:
    unit_id: int
    unit_name: str
    unit_kind: str
    duty_phone: str | None
    shift_id: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    state: str | None
    officers: tuple[PersonRef, ...]
    leader: PersonRef | None
    checked_in: tuple[int, ...]
    covered: bool                    # False: red on the board (第二、九条)
    alerts: tuple[str, ...]

    @property
    def state_label(self) -> str:
        return shift_flow.STATE_LABELS.get(self.state, "") if self.state else "无人值班"


@dataclass(frozen=True)
class DutyBoard:
    at: datetime
    rows: list[BoardRow]

    @property
    def uncovered(self) -> list[BoardRow]:
        return [r for r in self.rows if not r.covered]


# ---------------------------------------------------------------- helpers

def _role(sh: Shift, person_id: int | None) -> str | None:
    if person_id is None:
        return None
    if person_id in sh.officer_ids:
        return "officer"
    if sh.leader_person_id == person_id:
        return "leader"
    return None


def _fire(s: Session, actor: Actor, sh: Shift, trigger: str, **facts: bool) -> None:
    """One step of the shift machine on a row, audited as an event (who, when, from, to)."""
    try:
        source, dest = shift_flow.fire(sh, trigger, **facts)
    except TransitionRefused as exc:
        raise DomainError(exc.message) from exc
    now = clock.now()
    if dest == "on_duty":
        sh.on_duty_at = now
    elif dest == "handed_over":
        sh.handed_over_at = now
    audit.record(s, actor, "shift.transition", "shift", sh.id,
                 details={"trigger": trigger, "from": source, "to": dest})


def _refuse(actor: Actor, action: str, message: str) -> PermissionDenied:
    return PermissionDenied(f"{message}（{action}）", actor=actor, action=action)


def _names(s: Session, shifts: list[Shift], extra: set[int] = frozenset()) -> dict[int, str]:
    pids = {p for sh in shifts for p in (*sh.officer_ids, sh.leader_person_id) if p} | set(extra)
    if not pids:
        return {}
    return dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(pids))).all())


# ---------------------------------------------------------------- check-in

def check_in(actor: Actor, shift_id: int) -> CheckInResult:
    """The actor checks in for their shift; late when after start − 10 minutes (第十四条)."""
    with transaction() as s:
        sh = get_or_404(s, Shift, shift_id, "班次")
        require(actor, "shift.check_in", sh.unit_id)
        role = _role(sh, actor.person_id)
        if role is None:
            raise _refuse(actor, "shift.check_in", "只能为本人所在的班次签到")
        if sh.roster.status != "published":
            raise DomainError("值班表尚未发布，不能签到")
        now = clock.now()
        if now >= sh.ends_at or sh.state == "handed_over":
            raise DomainError("该班次已结束，不能签到")
        if now < sh.starts_at - CHECK_IN_OPENS:
            raise DomainError("签到时间未到：最早可在班次开始前2小时签到")
        done = s.execute(select(CheckIn).where(CheckIn.shift_id == sh.id,
                                               CheckIn.person_id == actor.person_id)).scalar_one_or_none()
        if done is not None:
            raise DomainError(f"您已于{clock.fmt(done.at, '%H:%M')}签到")
        late = now > sh.starts_at - LATE_MARGIN
        s.add(CheckIn(shift_id=sh.id, person_id=actor.person_id, user_id=actor.user_id, at=now,
                      late=late))
        if role == "officer" and sh.state == "scheduled":
            _fire(s, actor, sh, "check_in", by_duty_officer=True)
        s.flush()
        audit.record(s, actor, "shift.check_in", "shift", sh.id,
                     details={"person_id": actor.person_id, "role": role, "late": late,
                              "minutes_before_start": round((sh.starts_at - now).total_seconds() / 60, 1)})
        message = ("迟到：未在班次开始前10分钟到岗（第十四条）" if late
                   else "已签到：已按要求提前10分钟到岗（第十四条）")
        return CheckInResult(sh.id, actor.person_id, now, late, sh.state, message)


def my_shifts(actor: Actor, hours_before: int = 24, hours_after: int = 48) -> list[ShiftBrief]:
    """The actor's shifts (duty or leading) in published rosters around now: one statement."""
    if actor.person_id is None:
        return []
    now = clock.now()
    with reading() as s:
        require(actor, "shift.check_in", actor.unit_id)
        lo, hi = now - timedelta(hours=hours_before), now + timedelta(hours=hours_after)
        # The bounds of officer_of and overlapping (services/roster_common.py), as parameters.
        return _read_briefs(s, "person", {"pid": actor.person_id, "lo": lo, "hi": hi,
                                          "since": lo - LONGEST_SHIFT,
                                          "until": hi + LONGEST_SHIFT}, actor.person_id)


class _ShiftRow(NamedTuple):
    """A shift as its brief reads it (shift_facts and _role take it as they take a Shift)."""

    id: int
    version: int
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    leader_person_id: int | None
    unit_name: str
    officer_ids: list[int]


# Where a row of the briefs' statement comes from (its `src` column).
_SHIFT, _OFFICER, _CHECKED_IN, _GIVES, _TAKES = range(5)


@lru_cache(maxsize=4)
def _briefs_statement(by: str, postgresql: bool = False):
    """The briefs of some shifts in one statement, built once: the shifts (with their unit's
    and leader's names), their officers (with names), check-ins and handovers, one UNION
    ALL of plain columns over the shifts picked once (a CTE). `by`: "person", the published
    shifts of :pid overlapping [:lo, :hi) (:since = lo − LONGEST_SHIFT, :until = hi +
    LONGEST_SHIFT, as officer_of and overlapping bound them: the window's rows of the
    (leader_person_id | unit_id, starts_at) and (person_id, shift_id) indexes, never a
    person's history); "ids", the shifts :ids."""
    columns = (Shift.id, Shift.version, Shift.unit_id, Shift.starts_at, Shift.ends_at,
               Shift.state, Shift.leader_person_id)
    if by == "person":
        pid, lo, hi = bindparam("pid"), bindparam("lo"), bindparam("hi")
        ending = (Shift.ends_at > lo, Shift.ends_at < bindparam("until"))
        # id + 0: see officer_of (the primary key would be walked for min(id)).
        first_id = select(func.min(Shift.id + 0)).where(*ending).scalar_subquery()
        last_id = select(func.max(Shift.id + 0)).where(*ending).scalar_subquery()
        officer = Shift.id.in_(select(ShiftOfficer.shift_id).where(
            ShiftOfficer.person_id == pid, ShiftOfficer.shift_id.between(first_id, last_id)))
        picked = (select(*columns).join(Roster, Roster.id == Shift.roster_id)
                  .where(Roster.status == "published", Shift.starts_at < hi, Shift.ends_at > lo,
                         Shift.starts_at > bindparam("since"),
                         or_(Shift.leader_person_id == pid, officer)))
    else:
        picked = select(*columns).where(
            Shift.id == any_(bindparam("ids", type_=ARRAY(Integer))) if postgresql
            else Shift.id.in_(bindparam("ids", expanding=True)))
    mine = picked.cte("mine")
    leader = aliased(Person)
    none_int, none_text, none_at = (cast(null(), Integer), cast(null(), String),
                                    cast(null(), Shift.starts_at.type))

    def part(src, shift_id, n1, n2, n3, t1, t2, at1, at2):
        return select(literal_column(str(src), Integer).label("src"), shift_id.label("shift_id"),
                      n1.label("n1"), n2.label("n2"), n3.label("n3"), t1.label("t1"),
                      t2.label("t2"), at1.label("at1"), at2.label("at2"))

    return union_all(
        part(_SHIFT, mine.c.id, mine.c.version, mine.c.unit_id, mine.c.leader_person_id,
             mine.c.state, Unit.name, mine.c.starts_at, mine.c.ends_at)
        .select_from(mine).outerjoin(Unit, Unit.id == mine.c.unit_id),
        # The leader's name apart from the shift: a person named once per brief.
        part(_OFFICER, mine.c.id, none_int, leader.id, none_int, none_text, leader.name,
             none_at, none_at)
        .select_from(mine).join(leader, leader.id == mine.c.leader_person_id),
        part(_OFFICER, ShiftOfficer.shift_id, ShiftOfficer.id, ShiftOfficer.person_id, none_int,
             none_text, Person.name, none_at, none_at)
        .select_from(mine).join(ShiftOfficer, ShiftOfficer.shift_id == mine.c.id)
        .outerjoin(Person, Person.id == ShiftOfficer.person_id),
        part(_CHECKED_IN, CheckIn.shift_id, none_int, CheckIn.person_id,
             cast(CheckIn.late, Integer), none_text, none_text, CheckIn.at, none_at)
        .select_from(mine).join(CheckIn, CheckIn.shift_id == mine.c.id),
        part(_GIVES, Handover.outgoing_shift_id, Handover.id, none_int, none_int, none_text,
             none_text, none_at, none_at)
        .select_from(mine).join(Handover, Handover.outgoing_shift_id == mine.c.id),
        part(_TAKES, Handover.incoming_shift_id, Handover.id, none_int, none_int, none_text,
             none_text, none_at, none_at)
        .select_from(mine).join(Handover, Handover.incoming_shift_id == mine.c.id))


def _read_briefs(s: Session, by: str, params: dict, pid: int | None = None) -> list[ShiftBrief]:
    """The briefs of `_briefs_statement(by)`, in start order."""
    s.flush()   # a transaction's changes first: read on the connection, without autoflush
    conn = s.connection()
    rows = conn.execute(_briefs_statement(by, conn.dialect.name == "postgresql"), params).all()
    shifts: dict[int, _ShiftRow] = {}
    officers: dict[int, list[tuple[int, int]]] = {}
    names: dict[int, str] = {}
    check_ins: dict[int, list] = {}
    outs: dict[int, int] = {}
    ins: dict[int, int] = {}
    for src, sid, n1, n2, n3, t1, t2, at1, at2 in rows:
        if src == _SHIFT:
            shifts[sid] = _ShiftRow(sid, n1, n2, at1, at2, t1, n3, t2 if t2 is not None else "", [])
        elif src == _OFFICER:
            if t2 is not None:
                names[n2] = t2
            if n1 is not None:
                officers.setdefault(sid, []).append((n1, n2))
        elif src == _CHECKED_IN:
            check_ins.setdefault(sid, []).append((at1, n2, bool(n3)))
        else:   # the handover a shift gives or takes (one each: the newest, as handover_for_shift)
            side = outs if src == _GIVES else ins
            side[sid] = max(n1, side.get(sid, n1))
    ref = lambda p: PersonRef(p, names.get(p, f"编号{p}"))  # noqa: E731
    out = []
    for sh in sorted(shifts.values(), key=lambda r: (r.starts_at, r.id)):
        sh.officer_ids.extend(p for _id, p in sorted(officers.get(sh.id, ())))
        out.append(ShiftBrief(
            sh.id, sh.version, sh.unit_id, sh.unit_name, sh.starts_at, sh.ends_at,
            shift_label(shift_facts(sh)), sh.state, tuple(ref(p) for p in sh.officer_ids),
            ref(sh.leader_person_id) if sh.leader_person_id else None,
            # in time order; at the same time, by person (as the (shift_id, person_id) index
            # gave them before)
            tuple(CheckInRow(p, names.get(p, ""), at, late)
                  for at, p, late in sorted(check_ins.get(sh.id, ()))),
            _role(sh, pid), outs.get(sh.id), ins.get(sh.id)))
    return out


def _briefs(s: Session, shifts: list[Shift], pid: int | None = None) -> list[ShiftBrief]:
    """The briefs of `shifts` (in start order), read again in one statement."""
    if not shifts:
        return []
    return _read_briefs(s, "ids", {"ids": [sh.id for sh in shifts]}, pid)


def shift_brief(actor: Actor, shift_id: int) -> ShiftBrief:
    with reading() as s:
        sh = get_or_404(s, Shift, shift_id, "班次")
        require(actor, "roster.read", sh.unit_id)
        return _briefs(s, [sh], actor.person_id)[0]


# ---------------------------------------------------------------- responsibility (第十四条)

def item_responsibility(item: HandoverItem, incoming: Shift, now: datetime) -> Responsibility:
    """Who answers for `item` now, from its facts and the incoming shift's end."""
    return responsibility(ItemFacts(item.passed_on, item.acknowledged_at, item.acted_on_at,
                                    incoming.handed_over_at or incoming.ends_at), now)


def _signer_person(s: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = s.get(User, user_id)
    return user.person_id if user else None


def _settle(s: Session, h: Handover, now: datetime) -> None:
    """Derive and keep who answers for each of the handover's items."""
    out, inc = s.get(Shift, h.outgoing_shift_id), s.get(Shift, h.incoming_shift_id)
    people = {
        "outgoing": _signer_person(s, h.outgoing_confirmed_by_id)
        or (out.officer_ids[0] if out.officer_ids else None),
        "incoming": _signer_person(s, h.incoming_confirmed_by_id)
        or (inc.officer_ids[0] if inc.officer_ids else None),
    }
    for item in h.items:
        r = item_responsibility(item, inc, now)
        item.responsible, item.finding = r.party, r.finding
        item.responsible_person_id = people[r.party]


# ---------------------------------------------------------------- the handover

def _incoming_for(s: Session, out: Shift) -> Shift | None:
    """The unit's next shift in a published roster."""
    return s.execute(select(Shift).join(Roster, Roster.id == Shift.roster_id).where(
        Shift.unit_id == out.unit_id, Shift.starts_at > out.starts_at, Shift.id != out.id,
        Roster.status == "published").order_by(Shift.starts_at).limit(1)).scalar_one_or_none()


def _equipment(checks: list[EquipmentCheck] | None, *, complete: bool) -> list[dict]:
    problems, out = [], []
    for check in checks or []:
        item = (check.item or "").strip()
        note = (check.note or "").strip()
        if not item:
            problems.append("设备运行情况：设备名称不能为空")
            continue
        if len(note) > 200:
            problems.append(f"设备运行情况：「{item}」说明不能超过200个字")
        if check.ok is False and not note:
            problems.append(f"设备运行情况：「{item}」有故障，请填写故障说明（第十三、二十三条）")
        if complete and check.ok is None:
            problems.append(f"设备运行情况：「{item}」尚未检查（第十三、二十三条）")
        out.append({"item": item, "ok": check.ok, "note": note})
    if problems:
        raise ValidationError(problems)
    return out


def _item_row(item: HandoverItem, inc: Shift, names: dict[int, str], now: datetime) -> ItemRow:
    r = item_responsibility(item, inc, now)
    pid = item.responsible_person_id
    return ItemRow(item.id, item.kind, item.ref_id, item.title, item.since, item.due_at,
                   item.passed_on, item.acknowledged_at, item.acted_on_at, r.party,
                   PersonRef(pid, names.get(pid, "")) if pid else None, r.finding, r.message)


class _ItemCols(NamedTuple):
    """A handover item as its row reads it (item_responsibility takes it as an item)."""

    id: int
    kind: str
    ref_id: str
    title: str
    since: datetime | None
    due_at: datetime | None
    passed_on: bool
    acknowledged_at: datetime | None
    acted_on_at: datetime | None
    responsible_person_id: int | None


class _IncomingEnd(NamedTuple):
    """What item_responsibility reads of the incoming shift."""

    handed_over_at: datetime | None
    ends_at: datetime


@lru_cache(maxsize=1)
def _handover_statement():
    """A handover with its items (a row each, in id order, none: one row of NULLs), the
    outgoing shift's unit, the incoming shift's end, the signers' and the responsible
    people's names: one statement, built once. Parameter :handover."""
    out, inc = aliased(Shift), aliased(Shift)
    out_user, in_user = aliased(User), aliased(User)
    return (select(Handover.id, Handover.version, Handover.state, Handover.summary,
                   Handover.equipment, Handover.created_at, Handover.outgoing_shift_id,
                   Handover.incoming_shift_id, out.unit_id, inc.handed_over_at, inc.ends_at,
                   out_user.display_name, Handover.outgoing_confirmed_at, in_user.display_name,
                   Handover.incoming_confirmed_at,
                   HandoverItem.id, HandoverItem.kind, HandoverItem.ref_id, HandoverItem.title,
                   HandoverItem.since, HandoverItem.due_at, HandoverItem.passed_on,
                   HandoverItem.acknowledged_at, HandoverItem.acted_on_at,
                   HandoverItem.responsible_person_id, Person.name)
            .join(out, out.id == Handover.outgoing_shift_id)
            .join(inc, inc.id == Handover.incoming_shift_id)
            .outerjoin(out_user, out_user.id == Handover.outgoing_confirmed_by_id)
            .outerjoin(in_user, in_user.id == Handover.incoming_confirmed_by_id)
            .outerjoin(HandoverItem, HandoverItem.handover_id == Handover.id)
            .outerjoin(Person, Person.id == HandoverItem.responsible_person_id)
            .where(Handover.id == bindparam("handover")).order_by(HandoverItem.id))


def _handover_rows(s: Session, handover_id: int) -> list:
    """The rows of `_handover_statement` (the transaction's changes first: read on the
    connection, without autoflush); NotFound when there is no such handover."""
    s.flush()
    rows = s.connection().execute(_handover_statement(), {"handover": handover_id}).all()
    if not rows:
        raise NotFound("交接记录不存在")
    return rows


def _view_of(s: Session, rows: list) -> HandoverView:
    """The view of `_handover_rows`, with both shifts' briefs read in one more statement."""
    (hid, version, state, summary, equipment, created_at, out_id, in_id, _unit, handed_over_at,
     ends_at, out_by, out_at, in_by, in_at) = rows[0][:15]
    briefs = {b.id: b for b in _read_briefs(s, "ids", {"ids": [out_id, in_id]})}
    inc, now = _IncomingEnd(handed_over_at, ends_at), clock.now()
    names = {r[24]: r[25] for r in rows if r[24] is not None and r[25] is not None}
    return HandoverView(
        hid, version, state, briefs[out_id], briefs[in_id], summary,
        [EquipmentCheck(e.get("item", ""), e.get("ok"), e.get("note", "")) for e in equipment or []],
        [_item_row(_ItemCols(*r[15:25]), inc, names, now) for r in rows if r[15] is not None],
        created_at, out_by, out_at, in_by, in_at)


def _view(s: Session, h: Handover) -> HandoverView:
    """The handover as pages show it, read again after the transaction's changes: two
    statements (the handover with its items and names, then both shifts' briefs)."""
    return _view_of(s, _handover_rows(s, h.id))


def _add_items(s: Session, h: Handover, found: list[open_items.OpenItem]) -> int:
    have = {(i.kind, i.ref_id) for i in h.items}
    added = 0
    for o in found:
        if (o.kind, o.ref_id) in have:
            continue
        h.items.append(HandoverItem(kind=o.kind, ref_id=o.ref_id, title=(o.title or "")[:200],
                                    since=o.since, due_at=o.due_at, passed_on=True))
        added += 1
    return added


def _outgoing_for_edit(s: Session, actor: Actor, handover_id: int, version: int | None,
                       action: str = "handover.write") -> tuple[Handover, Shift]:
    h = get_or_404(s, Handover, handover_id, "交接记录")
    out = s.get(Shift, h.outgoing_shift_id)
    require(actor, "handover.write", out.unit_id)
    if _role(out, actor.person_id) is None:
        raise _refuse(actor, action, "只有交班班次的值班人员可以填写交接")
    h = load_for_edit(s, Handover, handover_id, version, "交接记录")
    if h.state != "draft":
        raise DomainError("交接已签字确认，不能再修改")
    return h, out


def _unconfirm(h: Handover) -> None:
    """An edit after the outgoing officer confirmed voids that confirmation."""
    h.outgoing_confirmed_by_id = None
    h.outgoing_confirmed_at = None
    flag_modified(h, "summary")


def start_handover(actor: Actor, outgoing_shift_id: int, summary: str = "",
                   equipment: list[EquipmentCheck] | None = None) -> HandoverView:
    """Open the handover of an on-duty shift to the unit's next shift (or return the one
    already opened); the open items are gathered from their owners."""
    with transaction() as s:
        out = get_or_404(s, Shift, outgoing_shift_id, "班次")
        require(actor, "handover.write", out.unit_id)
        if _role(out, actor.person_id) is None:
            raise _refuse(actor, "handover.write", "只有交班班次的值班人员可以发起交接")
        existing = s.execute(select(Handover).where(
            Handover.outgoing_shift_id == out.id)).scalar_one_or_none()
        if existing is not None:
            return _view(s, existing)
        if out.state != "on_duty":
            raise DomainError(f"班次当前为「{shift_flow.STATE_LABELS[out.state]}」，值班中的班次才能交班")
        inc = _incoming_for(s, out)
        if inc is None:
            raise DomainError("没有下一班次，无法交接：请先编排并发布下一班次所在的值班表")
        if inc.state == "handed_over":
            raise DomainError("下一班次已交班，无法交接")
        now = clock.now()
        checks = equipment if equipment is not None else [EquipmentCheck(i) for i in equipment_items()]
        h = Handover(outgoing_shift_id=out.id, incoming_shift_id=inc.id,
                     summary=(summary or "").strip()[:MAX_SUMMARY],
                     equipment=_equipment(checks, complete=False), state="draft",
                     created_by_id=actor.user_id, created_at=now)
        s.add(h)
        _add_items(s, h, open_items.gather(s, out.unit_id, now))
        s.flush()
        _settle(s, h, now)
        s.flush()
        audit.record(s, actor, "handover.start", "handover", h.id,
                     details={"outgoing_shift_id": out.id, "incoming_shift_id": inc.id,
                              "items": len(h.items)})
        return _view(s, h)


def save_handover(actor: Actor, handover_id: int, version: int, summary: str,
                  equipment: list[EquipmentCheck],
                  passed_on: Mapping[int, bool] | None = None) -> int:
    """Save the summary and equipment check, and (`passed_on`: item id → handed over or
    not) which open items are passed on, in one transaction; returns the new version."""
    with transaction() as s:
        h, _out = _outgoing_for_edit(s, actor, handover_id, version)
        summary = (summary or "").strip()
        if len(summary) > MAX_SUMMARY:
            raise ValidationError([f"值班情况：不能超过{MAX_SUMMARY}个字"])
        items = {i.id: i for i in h.items}
        unknown = set(passed_on or {}) - set(items)
        if unknown:
            raise DomainError("有事项不在本次交接中，请刷新后重试")
        h.summary = summary
        h.equipment = _equipment(equipment, complete=False)
        changed = []
        for item_id, value in (passed_on or {}).items():
            if items[item_id].passed_on != bool(value):
                items[item_id].passed_on = bool(value)
                changed.append({"item_id": item_id, "passed_on": bool(value)})
        _unconfirm(h)
        s.flush()
        if changed:
            _settle(s, h, clock.now())
        audit.record(s, actor, "handover.save", "handover", h.id,
                     details={"faults": [e["item"] for e in h.equipment if e["ok"] is False],
                              "items": changed})
        return h.version


def refresh_open_items(actor: Actor, handover_id: int, version: int) -> HandoverView:
    """Gather the open items again: new ones are added, closed ones drop off the draft."""
    with transaction() as s:
        h, out = _outgoing_for_edit(s, actor, handover_id, version)
        now = clock.now()
        found = open_items.gather(s, out.unit_id, now)
        still = {(o.kind, o.ref_id) for o in found}
        for item in list(h.items):
            if (item.kind, item.ref_id) not in still:
                h.items.remove(item)
        added = _add_items(s, h, found)
        _unconfirm(h)
        s.flush()
        _settle(s, h, now)
        audit.record(s, actor, "handover.refresh", "handover", h.id,
                     details={"items": len(h.items), "added": added})
        return _view(s, h)


def set_item_passed_on(actor: Actor, handover_id: int, version: int, item_id: int,
                       passed_on: bool) -> int:
    """Mark an open item as handed over or not (an item kept by the outgoing officer stays
    theirs, 第十二、十四条); returns the handover's new version."""
    with transaction() as s:
        h, _out = _outgoing_for_edit(s, actor, handover_id, version)
        item = next((i for i in h.items if i.id == item_id), None)
        if item is None:
            raise DomainError("该事项不在本次交接中")
        item.passed_on = bool(passed_on)
        _unconfirm(h)
        s.flush()
        _settle(s, h, clock.now())
        audit.record(s, actor, "handover.item", "handover", h.id,
                     details={"item_id": item.id, "kind": item.kind, "ref_id": item.ref_id,
                              "passed_on": item.passed_on})
        return h.version


def _new_open_items(s: Session, h: Handover, unit_id: int) -> list[open_items.OpenItem]:
    have = {(i.kind, i.ref_id) for i in h.items}
    return [o for o in open_items.gather(s, unit_id, clock.now()) if (o.kind, o.ref_id) not in have]


def _refuse_new_items(new: list[open_items.OpenItem]) -> None:
    if new:
        listed = "、".join(f"{open_items.kind_label(o.kind)}「{o.title}」" for o in new[:10])
        raise DomainError(f"有{len(new)}项新的未尽事宜尚未列入交接：{listed}；"
                          "请交班人员刷新事项并重新确认（第十四条）")


def confirm_outgoing(actor: Actor, handover_id: int, version: int) -> HandoverView:
    """The outgoing duty officer confirms the handover (their signature, 第十四条)."""
    with transaction() as s:
        h, out = _outgoing_for_edit(s, actor, handover_id, version, "handover.confirm")
        if _role(out, actor.person_id) != "officer":
            raise _refuse(actor, "handover.confirm", "交班签字须由交班班次的值班员本人确认")
        problems = []
        if not (h.summary or "").strip():
            problems.append("值班情况：不能为空，请写明本班值班情况（第十三、十四条）")
        try:
            _equipment([EquipmentCheck(e.get("item", ""), e.get("ok"), e.get("note", ""))
                        for e in h.equipment or []], complete=True)
        except ValidationError as exc:
            problems += exc.problems
        if not h.equipment:
            problems.append("设备运行情况：尚未填写（第十三、二十三条）")
        if problems:
            raise ValidationError(problems)
        _refuse_new_items(_new_open_items(s, h, out.unit_id))
        h.outgoing_confirmed_by_id, h.outgoing_confirmed_at = actor.user_id, clock.now()
        s.flush()
        audit.record(s, actor, "handover.confirm_outgoing", "handover", h.id)
        return _view(s, h)


def confirm_incoming(actor: Actor, handover_id: int, version: int, password: str,
                     signer_user_id: int | None = None) -> HandoverView:
    """The incoming duty officer signs with their own password (第十四条). Then, in this one
    transaction, the outgoing shift is handed over and the incoming one is on duty.

    `signer_user_id` lets the incoming officer sign on the outgoing officer's screen; by
    default the signer is the actor. A wrong password is refused and audited.
    """
    signer_id = signer_user_id or actor.user_id
    password_ok = signer_id is not None and auth.verify_password(signer_id, password or "")
    with transaction() as s:
        h = get_or_404(s, Handover, handover_id, "交接记录")
        out, inc = s.get(Shift, h.outgoing_shift_id), s.get(Shift, h.incoming_shift_id)
        require(actor, "handover.write", out.unit_id)
        if _role(out, actor.person_id) is None and _role(inc, actor.person_id) is None:
            raise _refuse(actor, "handover.sign", "只有交接双方可以办理接班签字")
        signer = s.get(User, signer_id) if signer_id is not None else None
        if signer is None or signer.person_id is None or _role(inc, signer.person_id) != "officer":
            raise DomainError("接班签字须由接班班次的值班员本人进行", field="signer")
        if not password_ok:
            audit.record(s, actor, "handover.sign_incoming", "handover", h.id, outcome="failure",
                         details={"reason": "bad_password", "signer_user_id": signer_id})
            s.commit()
            raise DomainError("接班人员密码不正确，签字未完成（第十四条）", field="password")
        h = load_for_edit(s, Handover, handover_id, version, "交接记录")
        if h.state != "draft":
            raise DomainError("交接已签字确认")
        if h.outgoing_confirmed_at is None:
            raise DomainError("交班人员尚未确认，接班人员不能签字（第十四条）")
        if signer_id == h.outgoing_confirmed_by_id:
            raise DomainError("交班与接班须由不同的人员签字（第十四条）")
        _refuse_new_items(_new_open_items(s, h, out.unit_id))
        now = clock.now()
        h.incoming_confirmed_by_id, h.incoming_confirmed_at, h.state = signer_id, now, "signed"
        for item in h.items:
            if item.passed_on:
                item.acknowledged_at = now
        _fire(s, actor, out, "hand_over", outgoing_signed=h.outgoing_confirmed_at is not None,
              incoming_signed=True)
        signer_actor = Actor(signer.id, signer.username, signer.display_name, signer.role_codes,
                             signer.unit_id, signer.person_id, actor.client_ip)
        arrived = s.execute(select(CheckIn).where(CheckIn.shift_id == inc.id,
                                                  CheckIn.person_id == signer.person_id)).scalar_one_or_none()
        if arrived is None:  # the signature proves presence: it is the check-in
            s.add(CheckIn(shift_id=inc.id, person_id=signer.person_id, user_id=signer.id, at=now,
                          late=now > inc.starts_at - LATE_MARGIN))
        if inc.state == "scheduled":
            _fire(s, signer_actor, inc, "check_in", by_duty_officer=True)
        s.flush()
        _settle(s, h, now)
        # The outgoing shift has ended: what it took over at its own start is now settled.
        for earlier in s.execute(select(Handover).where(Handover.incoming_shift_id == out.id,
                                                        Handover.state == "signed")).scalars():
            _settle(s, earlier, now)
        s.flush()
        logbook.seal_for_shift(s, out.id, actor)  # 第十三条: the log book is sealed at handover
        audit.record(s, actor, "handover.sign_incoming", "handover", h.id, details={
            "signer_user_id": signer_id, "outgoing_shift_id": out.id, "incoming_shift_id": inc.id,
            "items": [{"kind": i.kind, "ref_id": i.ref_id, "passed_on": i.passed_on,
                       "responsible": i.responsible} for i in h.items]})
        return _view(s, h)


@dataclass(frozen=True)
class Signer:
    """An incoming duty officer who can sign for the handover with their own account."""

    user_id: int
    person_id: int
    name: str
    username: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.username}）"


def incoming_signers(actor: Actor, handover_id: int) -> list[Signer]:
    """The incoming shift's duty officers with an active account: who may sign (第十四条),
    on their own login or on the outgoing officer's screen."""
    with reading() as s:
        h = get_or_404(s, Handover, handover_id, "交接记录")
        inc = s.get(Shift, h.incoming_shift_id)
        require(actor, "handover.write", inc.unit_id)
        order = {pid: n for n, pid in enumerate(inc.officer_ids)}
        if not order:
            return []
        rows = s.execute(select(User.id, User.person_id, Person.name, User.username)
                         .join(Person, Person.id == User.person_id)
                         .where(User.person_id.in_(list(order)), User.active.is_(True))).all()
        return [Signer(*row) for row in sorted(rows, key=lambda r: order[r[1]])]


def handover_view(actor: Actor, handover_id: int) -> HandoverView:
    """The handover with its items and both shifts' briefs: two statements."""
    with reading() as s:
        rows = _handover_rows(s, handover_id)
        require(actor, "roster.read", rows[0][8])   # the outgoing shift's unit
        return _view_of(s, rows)


def handover_for_shift(actor: Actor, shift_id: int, side: str = "outgoing") -> HandoverView | None:
    """The handover a shift gives (side='outgoing') or takes (side='incoming'), if any."""
    with reading() as s:
        sh = get_or_404(s, Shift, shift_id, "班次")
        require(actor, "roster.read", sh.unit_id)
        column = Handover.outgoing_shift_id if side == "outgoing" else Handover.incoming_shift_id
        h = s.execute(select(Handover).where(column == shift_id)
                      .order_by(Handover.id.desc()).limit(1)).scalar_one_or_none()
        return _view(s, h) if h else None


def mark_item_acted_on(actor: Actor, item_id: int) -> ItemRow:
    """The incoming officer records that they followed up an item passed on to them."""
    with transaction() as s:
        item = get_or_404(s, HandoverItem, item_id, "交接事项")
        h = item.handover
        inc = s.get(Shift, h.incoming_shift_id)
        require(actor, "handover.write", inc.unit_id)
        if _role(inc, actor.person_id) is None:
            raise _refuse(actor, "handover.follow_up", "只有接班班次的值班人员可以登记续办")
        if h.state != "signed" or not item.passed_on:
            raise DomainError("该事项未交接给本班，不能登记续办")
        now = clock.now()
        if item.acted_on_at is None:
            item.acted_on_at = now
        _settle(s, h, now)
        s.flush()
        audit.record(s, actor, "handover.follow_up", "handover", h.id,
                     details={"item_id": item.id, "kind": item.kind, "ref_id": item.ref_id,
                              "finding": item.finding})
        names = _names(s, [inc], {item.responsible_person_id} if item.responsible_person_id else set())
        return _item_row(item, inc, names, now)


def record_item_action(s: Session, kind: str, ref_id, at: datetime | None = None) -> int:
    """For other services, inside their own transaction: an action on (kind, ref_id) — a
    follow-up report, feedback, a note — counts as following up the item wherever it was
    passed on and acknowledged (第十四条). Returns how many handover items it settled."""
    at = at or clock.now()
    items = list(s.execute(select(HandoverItem).join(Handover).where(
        HandoverItem.kind == kind, HandoverItem.ref_id == str(ref_id),
        HandoverItem.acknowledged_at.is_not(None), HandoverItem.acknowledged_at <= at,
        HandoverItem.acted_on_at.is_(None), Handover.state == "signed")).scalars())
    handovers = {}
    for item in items:
        item.acted_on_at = at
        handovers[item.handover_id] = item.handover
    for h in handovers.values():
        _settle(s, h, at)
    return len(items)


# ---------------------------------------------------------------- who is on duty now

def duty_board(actor: Actor) -> DutyBoard:
    """Every active unit (in the actor's scope) with its current shift; three queries.

    The current shift is the earliest one on duty (the outgoing one until it has handed
    over), else the published shift planned for now. A unit without a current shift, or
    whose shift has no duty officer, is not covered (第二、九条).

    The candidates are read as bare columns (shifts on duty, and scheduled ones that started
    within a shift's length: the state and (unit_id, starts_at) indexes), one is picked per
    unit, and only the picked shifts' officers, names and check-ins are joined in.
    """
    now = clock.now()
    with reading() as s:
        scope = scoped_unit(actor, "duty_board.read")
        # Every officer's board refreshes each minute: one computation per minute and scope.
        return view_cache.cached(s, ("duty_board", scope, now.replace(second=0, microsecond=0)),
                                 lambda: _duty_board(s, scope, now))


@lru_cache(maxsize=4)
def _board_statements(scoped: bool, postgresql: bool = False):
    """The board's three statements, built once (every minute's first view of every
    officer's board used to build them, aliases and union included, ~1 ms each time):
    parameters :now, :since, :picked and, scoped, :scope."""
    now, scope = bindparam("now"), bindparam("scope")
    units = select(Unit.id, Unit.name, Unit.kind, Unit.duty_phone).where(Unit.active.is_(True))
    # The candidates, each branch by the state index (an OR would read every shift ever):
    # those on duty, and the published scheduled ones planned for now (started within a
    # shift's length). Two branches of one union, not a union of ids joined back to shift.
    columns = (Shift.id, Shift.unit_id, Shift.starts_at, Shift.ends_at, Shift.state,
               Shift.leader_person_id)
    on_duty = select(*columns).where(Shift.state == "on_duty")
    planned = (select(*columns).join(Roster, Roster.id == Shift.roster_id)
               .where(Shift.state == "scheduled", Roster.status == "published",
                      Shift.starts_at <= now, Shift.starts_at > bindparam("since"),
                      Shift.ends_at > now))
    if scoped:
        units = units.where(Unit.id == scope)
        on_duty, planned = on_duty.where(Shift.unit_id == scope), planned.where(Shift.unit_id == scope)
    current = union_all(on_duty, planned).subquery()
    officer, leader = aliased(Person), aliased(Person)
    # PostgreSQL takes the picked shifts as one array (planned once) rather than 100 parameters.
    picked = (Shift.id == any_(bindparam("picked", type_=ARRAY(Integer))) if postgresql
              else Shift.id.in_(bindparam("picked", expanding=True)))
    people = (select(Shift.id, ShiftOfficer.person_id, officer.name, leader.name, CheckIn.person_id)
              .outerjoin(leader, leader.id == Shift.leader_person_id)
              .outerjoin(ShiftOfficer, ShiftOfficer.shift_id == Shift.id)
              .outerjoin(officer, officer.id == ShiftOfficer.person_id)
              .outerjoin(CheckIn, and_(CheckIn.shift_id == Shift.id,
                                       CheckIn.person_id == ShiftOfficer.person_id))
              .where(picked)
              .order_by(Shift.id, ShiftOfficer.id))
    return (units.order_by(Unit.kind, Unit.name),
            select(current).order_by(current.c.starts_at, current.c.id), people)


def _duty_board(s: Session, scope: int | None, now: datetime) -> DutyBoard:
    conn = s.connection()
    units_q, current_q, people_q = _board_statements(scope is not None,
                                                     conn.dialect.name == "postgresql")
    params = {"now": now, "since": now - LONGEST_SHIFT} | ({"scope": scope} if scope is not None else {})
    # Plain tuples through the session's connection: no ORM execution layer and no named
    # access per cell (this Python was half the board's first view).
    units = conn.execute(units_q, params).all()
    current: dict[int, tuple] = {}
    for row in conn.execute(current_q, params).all():
        best = current.get(row[1])
        # the earliest on duty, else the earliest planned for now (rows in (starts_at, id) order)
        if best is None or (best[4] != "on_duty" and (row[4] == "on_duty" or row[2] < best[2])):
            current[row[1]] = row
    officers: dict[int, list[PersonRef]] = {}
    checked: dict[int, list[int]] = {}
    leaders: dict[int, str] = {}
    if current:
        seen: set[tuple[int, int]] = set()
        for sid, oid, oname, lname, who in conn.execute(
                people_q, {"picked": [r[0] for r in current.values()]}).all():
            if lname is not None:
                leaders[sid] = lname
            if oid is not None and (sid, oid) not in seen:
                seen.add((sid, oid))
                officers.setdefault(sid, []).append(PersonRef(oid, oname))
            if who is not None:
                checked.setdefault(sid, []).append(who)
    out = []
    no_phone = ("未登记值班电话（第二十三条）",)
    for uid, name, kind, phone in units:
        row = current.get(uid)
        if row is None:
            out.append(BoardRow(uid, name, kind, phone, None, None, None, None, (), None, (), False,
                                ("当前无人值班，须保证每天24小时值班（第二、九条）",)
                                + (() if phone else no_phone)))
            continue
        sid, _unit, starts_at, ends_at, state, leader_id = row
        mine = officers.get(sid, ())
        alerts = [] if phone else list(no_phone)
        if not mine:
            alerts.append("当前班次未安排值班员（第九条）")
        elif state == "scheduled":
            alerts.append("值班员尚未到岗签到（第十四条）")
        if state == "on_duty" and now > ends_at:
            alerts.append("已过交班时间，尚未完成交接（第十四条）")
        out.append(BoardRow(uid, name, kind, phone, sid, starts_at, ends_at, state, tuple(mine),
                            PersonRef(leader_id, leaders.get(sid)) if leader_id else None,
                            tuple(checked.get(sid, ())), bool(mine), tuple(alerts)))
    return DutyBoard(now, out)


# For pages: the Chinese text of each responsibility finding.
FINDING_LABELS = FINDINGS
