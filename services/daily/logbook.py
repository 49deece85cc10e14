"""The duty log book (值班记录本, 第十三条): one per shift, compiled from what was recorded.

The book of a shift is compiled in time order from the records of its unit in the shift's
window: check-ins, calls, the incidents' timelines (reports included), verification requests,
leader instructions (passed on, fed back, reported back), hotline items, plus free-text
entries written by hand; its head is the duty time, shift leader and duty officers, its
foot the handover (equipment, items passed on, time, names).

The window of a shift runs from the signature of the handover that started it (else its
planned start) to its own handover (else its planned end).

Sealed at handover (services.shifts.confirm_incoming calls `seal_for_shift` in its own
transaction): the compiled lines are written as log_entry rows, hash-chained per book like
the audit trail, and the book's `seal_hash` closes the chain. Afterwards nothing changes —
the database refuses UPDATE and DELETE on entries and on a sealed book — and a correction
is an addendum pointing to the entry it corrects. `verify_log_books` walks every chain.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import (JSON, Integer, Text, and_, bindparam, cast, func, literal_column, null,
                        or_, select, union, union_all)
from sqlalchemy.orm import Session

from models.auth import User
from models.daily import Call, HotlineItem, Instruction, InstructionTarget, LogBook, LogEntry
from models.incident import Incident, IncidentEvent, VerificationRequest
from models.org import Person, Unit
from models.base import UTCDateTime
from models.roster import CheckIn, Handover, Shift, ShiftOfficer
from rules.staffing import LONGEST_SHIFT
from services import audit, clock, view_cache
from services.daily import common
from services.paging import Paged, page_bounds
from services.errors import DomainError, NotFound, ValidationError
from services.permissions import Actor, require, scoped_unit
from services.uow import reading, transaction

ARTICLE = "第十三条"
GENESIS = audit.GENESIS
KIND_LABELS = {
    "header": "值班信息", "check_in": "到岗签到", "call": "来电", "incident": "突发事件",
    "verification": "核报", "instruction": "领导批示", "hotline": "市长热线", "note": "记事",
    "handover": "交接班", "addendum": "更正补记",
}
_SEQ = {k: n for n, k in enumerate(KIND_LABELS)}
MAX_TEXT = 5000


# ---------------------------------------------------------------- hashing

def _jsonable(value):
    return json.loads(json.dumps(value or {}, ensure_ascii=False, default=str))


def entry_hash(prev_hash: str, log_book_id: int, at: datetime, recorded_at: datetime, kind: str,
               text_: str, handling: str, source_kind, source_id, author: str, author_user_id,
               is_addendum: bool, corrects_entry_id, details: dict) -> str:
    canonical = json.dumps(
        [prev_hash, log_book_id, at.isoformat(timespec="microseconds"),
         recorded_at.isoformat(timespec="microseconds"), kind, text_, handling, source_kind,
         source_id, author, author_user_id, bool(is_addendum), corrects_entry_id, details],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _entry_hash(e: LogEntry) -> str:
    return entry_hash(e.prev_hash, e.log_book_id, e.at, e.recorded_at, e.kind, e.text, e.handling,
                      e.source_kind, e.source_id, e.author, e.author_user_id, e.is_addendum,
                      e.corrects_entry_id, e.details)


def seal_hash(last_hash: str, book: LogBook) -> str:
    canonical = json.dumps(
        [last_hash, book.id, book.shift_id, book.unit_id, book.day.isoformat(),
         book.sealed_at.isoformat(timespec="microseconds"), book.sealed_by_id, book.sealed_entries],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- compiled lines

@dataclass(frozen=True)
class Line:
    at: datetime
    kind: str
    text: str
    handling: str = ""
    source_kind: str | None = None
    source_id: str | None = None
    author: str = ""
    details: dict = field(default_factory=dict)


def window(s: Session, sh: Shift) -> tuple[datetime, datetime]:
    """[start, end) of a shift's records: handover signature to handover signature."""
    started = s.execute(select(Handover.incoming_confirmed_at).where(
        Handover.incoming_shift_id == sh.id, Handover.state == "signed")
        .order_by(Handover.id.desc()).limit(1)).scalar_one_or_none()
    return started or sh.starts_at, sh.handed_over_at or sh.ends_at


def _names(s: Session, model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    col = model.display_name if model is User else model.name
    return dict(s.execute(select(model.id, col).where(model.id.in_(ids))).all())


def _local(dt: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
    return clock.fmt(dt, pattern)


def _in(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


# Where a line of the sources' statement comes from (its `src` column).
(_CHECK_IN, _CALL, _EVENT, _VERIFICATION, _GIVEN, _PASSED, _FED, _REPORTED, _SIGNED,
 _NOTIFIED, _DONE, _ENTRY, _OFFICER, _LEADER) = range(14)
# Lines of one source at the same time, in the order they were listed when each source was
# read apart: an instruction's original, then each target passed on and fed back, then its
# report; a hotline item signed, forwarded, done.
_GROUP = {_PASSED: 1, _FED: 1, _REPORTED: 2, _NOTIFIED: 1, _DONE: 2}
_SUB = {_FED: 1}
# The columns every part of the statement gives, NULL where it has nothing.
_SLOTS = (("k1", Integer), ("k2", Integer), ("i1", Integer), ("i2", Integer), ("i3", Integer),
          *((f"s{n}", Text) for n in range(1, 11)), ("d1", UTCDateTime), ("d2", UTCDateTime),
          ("d3", UTCDateTime), ("j1", JSON))


def _part(src: int, at, **given):
    """One part of the sources' statement: `src`, the line's time and the slots it fills."""
    return select(literal_column(str(src), Integer).label("src"), at.label("at"),
                  *(given[name].label(name) if name in given else cast(null(), type_).label(name)
                    for name, type_ in _SLOTS))


@lru_cache(maxsize=4)
def _sources_statement(dialect: str):
    """The sources of a book (`_source_parts`) in one statement, built once per dialect."""
    return union_all(*_source_parts(dialect))


@lru_cache(maxsize=4)
def _book_statement(dialect: str, sealed: bool):
    """A book as its page reads it, in one statement built once per dialect: the shift's
    officers (in the order they were put on) and leader with their names, its stored entries
    and, open, its sources (`_source_parts`). Parameters :shift, :leader, :book and, open,
    :unit, :start, :end."""
    return union_all(*_people_parts(), _entries_part(),
                     *(() if sealed else _source_parts(dialect)))


def _people_parts():
    nothing = cast(null(), UTCDateTime)
    return (_part(_OFFICER, nothing, k1=ShiftOfficer.id, k2=ShiftOfficer.person_id,
                  s1=select(Person.name).where(Person.id == ShiftOfficer.person_id)
                  .scalar_subquery())
            .where(ShiftOfficer.shift_id == bindparam("shift")),
            _part(_LEADER, nothing, k1=Person.id, s1=Person.name)
            .where(Person.id == bindparam("leader")))


def _entries_part():
    return (_part(_ENTRY, LogEntry.at, k1=LogEntry.id, i1=LogEntry.corrects_entry_id,
                  i2=cast(LogEntry.is_addendum, Integer), s1=LogEntry.kind, s2=LogEntry.text,
                  s3=LogEntry.handling, s4=LogEntry.author, s5=LogEntry.source_kind,
                  s6=LogEntry.source_id, j1=LogEntry.details)
            .where(LogEntry.log_book_id == bindparam("book")))


@lru_cache(maxsize=4)
def _source_parts(dialect: str) -> tuple:
    """The parts of a statement reading every source of a book, built once per dialect:
    plain columns, one part per table of records, each a range on an indexed time of the
    window, never the unit's whole history; a record with several times once, by a range
    on each. Parameters :unit, :shift, :start, :end.

    PostgreSQL plans the statement each time it runs (custom plans: the window's values
    decide them), most of its cost on the 10-year street: hence a part per table rather
    than per time (an instruction given and reported back, a target passed on and fed
    back, a hotline item signed, forwarded and done: BitmapOr of each time's index), and
    names by key (a scalar subquery on the primary key) rather than joined (two hash joins
    of the whole account table for a call's two names)."""
    unit, start, end = bindparam("unit"), bindparam("start"), bindparam("end")

    def user_name(key):
        return select(User.display_name).where(User.id == key).scalar_subquery()

    def person_name(key):
        return select(Person.name).where(Person.id == key).scalar_subquery()

    def unit_name(key):
        return select(Unit.name).where(Unit.id == key).scalar_subquery()

    def within(column):
        return and_(column >= start, column < end)

    def picked(key, column):
        """The rows whose `column` is in the window. SQLite, without statistics, would
        rather take the unit's equality on another index and read its whole history: there
        the rows are picked by the time's index first. PostgreSQL plans by its statistics,
        and the subqueries only cost it planning (~0.7 ms for the book)."""
        if dialect == "sqlite":
            return key.in_(select(key).where(within(column)))
        return within(column)

    parts = [
        _part(_CHECK_IN, CheckIn.at, k1=CheckIn.id, i1=cast(CheckIn.late, Integer),
              s1=person_name(CheckIn.person_id))
        .where(CheckIn.shift_id == bindparam("shift")),
        _part(_CALL, Call.at, k1=Call.id, i1=Call.incident_id, i2=Call.verification_request_id,
              i3=Call.instruction_id, s1=Call.caller_unit, s2=Call.caller, s3=Call.number,
              s4=Call.kind, s5=Call.importance, s6=Call.summary, s7=Call.state, s8=Call.result,
              s9=user_name(Call.owner_user_id), s10=user_name(Call.taken_by_id))
        .where(Call.unit_id == unit, within(Call.at)),
        # The window's events, then their incidents.
        _part(_EVENT, IncidentEvent.at, k1=IncidentEvent.id, i1=IncidentEvent.incident_id,
              s1=IncidentEvent.kind, s2=IncidentEvent.note, s3=IncidentEvent.from_state,
              s4=IncidentEvent.to_state, s5=IncidentEvent.actor_name, s6=Incident.title)
        .join(Incident, Incident.id == IncidentEvent.incident_id)
        .where(picked(IncidentEvent.id, IncidentEvent.at), Incident.unit_id == unit),
        _part(_VERIFICATION, VerificationRequest.logged_at, k1=VerificationRequest.id,
              s1=VerificationRequest.requester, s2=VerificationRequest.content,
              s3=VerificationRequest.state)
        .where(VerificationRequest.unit_id == unit, VerificationRequest.incident_id.is_(None),
               within(VerificationRequest.logged_at)),
        # An instruction given or reported back in the window, once with both times (a
        # range on each time's index; _lines makes a line of each time in the window).
        _part(_GIVEN, Instruction.given_at, k1=Instruction.id, s1=Instruction.leader_name,
              s2=Instruction.text, s3=Instruction.result, d2=Instruction.reported_at)
        .where(or_(picked(Instruction.id, Instruction.given_at),
                   picked(Instruction.id, Instruction.reported_at)), Instruction.unit_id == unit),
        # A target passed on or fed back in the window, likewise; then its instruction.
        _part(_PASSED, InstructionTarget.passed_on_at, k1=Instruction.id, k2=InstructionTarget.id,
              s1=Instruction.leader_name, s2=unit_name(InstructionTarget.unit_id),
              s3=person_name(InstructionTarget.person_id), s4=InstructionTarget.feedback_text,
              d1=InstructionTarget.feedback_due, d2=InstructionTarget.fed_back_at)
        .select_from(InstructionTarget)
        .join(Instruction, Instruction.id == InstructionTarget.instruction_id)
        .where(or_(picked(InstructionTarget.id, InstructionTarget.passed_on_at),
                   picked(InstructionTarget.id, InstructionTarget.fed_back_at)),
               Instruction.unit_id == unit),
        # A hotline item signed, forwarded or done in the window, likewise: a range on each
        # (unit, time) index.
        _part(_SIGNED, HotlineItem.signed_at, k1=HotlineItem.id, s1=HotlineItem.item_no,
              s2=HotlineItem.content, s3=HotlineItem.state,
              s4=person_name(HotlineItem.forwarded_to_person_id), s5=HotlineItem.result,
              d1=HotlineItem.deadline, d2=HotlineItem.notified_at, d3=HotlineItem.done_at)
        .where(or_(*(and_(HotlineItem.unit_id == unit, within(at)) for at in (
            HotlineItem.signed_at, HotlineItem.notified_at, HotlineItem.done_at)))),
    ]
    return tuple(parts)


class _Stored(NamedTuple):
    """A stored entry as the page shows it (plain columns, not the mapped object)."""

    id: int
    at: datetime
    kind: str
    text: str
    handling: str
    author: str
    source_kind: str | None
    source_id: str | None
    corrects_entry_id: int | None
    is_addendum: bool
    details: dict | None = None


# The other times of a row that has several (an instruction given and reported back, a
# target passed on and fed back, a hotline item signed, forwarded and done): their slots.
_MORE_TIMES = {_GIVEN: ((_REPORTED, "d2"),), _PASSED: ((_FED, "d2"),),
               _SIGNED: ((_NOTIFIED, "d2"), (_DONE, "d3"))}


def _times(r, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """(source, time) of each line a row of the sources' statement makes: one for each of
    its times in the window [start, end)."""
    more = _MORE_TIMES.get(r.src)
    if more is None:
        return [(r.src, r.at)]
    return [(src, at) for src, at in ((r.src, r.at), *((m, getattr(r, slot)) for m, slot in more))
            if at is not None and start <= at < end]


class _Read(NamedTuple):
    """What a statement of `_source_parts`, `_entries_part` and `_people_parts` read."""

    lines: list[Line]                       # in time order
    stored: list[_Stored]                   # in id order
    officers: list[tuple[int, str | None]]  # (person, name) in the order they were put on
    leader_name: str | None


def _lines(rows, span: tuple[datetime, datetime]) -> _Read:
    """The rows as log lines in time order, the stored entries among them (in id order),
    the officers and the leader's name."""
    keyed: list[tuple] = []
    stored: list[_Stored] = []
    officers: list[tuple[int, int, str | None]] = []
    leader = None
    start, end = span
    for r in rows:
        if r.src == _ENTRY:
            stored.append(_Stored(r.k1, r.at, r.s1, r.s2, r.s3, r.s4, r.s5, r.s6, r.i1, bool(r.i2),
                                  r.j1))
        elif r.src == _OFFICER:
            officers.append((r.k1, r.k2, r.s1))
        elif r.src == _LEADER:
            leader = r.s1
        else:
            for src, at in _times(r, start, end):
                keyed.append(_line(src, at, r))
    keyed.sort(key=lambda x: x[0])
    stored.sort(key=lambda e: e.id)
    officers.sort()
    return _Read([line for _key, line in keyed], stored, [(p, n) for _i, p, n in officers], leader)


def _line(src: int, at: datetime, r) -> tuple[tuple, Line]:
    """The line of source `src` at `at` of row `r`, with its place in the book's order."""
    from services.daily.calls import IMPORTANCE_LABELS, KIND_LABELS as CALL_KINDS, STATE_LABELS
    from services.daily.hotline import STATE_LABELS as HOTLINE_STATES
    from services.incidents.common import EVENT_LABELS

    if src == _CHECK_IN:
        name = r.s1 or ""
        line = Line(at, "check_in", f"{name}到岗签到" + ("（迟到，第十四条）" if r.i1 else ""),
                    source_kind="check_in", source_id=str(r.k1), author=name)
    elif src == _CALL:
        who = "，".join(x for x in (r.s1, r.s2, r.s3) if x) or "未留姓名"
        links = [x for x in (f"已转突发事件#{r.i1}" if r.i1 else "",
                             f"已登记核报#{r.i2}" if r.i2 else "",
                             f"已登记领导批示#{r.i3}" if r.i3 else "") if x]
        handling = "；".join([f"{STATE_LABELS[r.s7]}" + (f"：{r.s8}" if r.s8 else ""),
                             f"首接负责：{r.s9 or ''}", *links])
        line = Line(at, "call", f"【{CALL_KINDS.get(r.s4, r.s4)}·"
                                f"{IMPORTANCE_LABELS.get(r.s5, '')}】{who}：{r.s6}",
                    handling, "call", str(r.k1), r.s10 or "")
    elif src == _EVENT:
        label = EVENT_LABELS.get(r.s1, r.s1)
        line = Line(at, "incident", f"【{r.s6}】{label}" + (f"：{r.s2}" if r.s2 else ""),
                    f"{r.s3} → {r.s4}" if r.s4 and r.s3 else "", "incident", str(r.i1),
                    r.s5, {"event_id": r.k1, "kind": r.s1})
    elif src == _VERIFICATION:
        line = Line(at, "verification", f"{r.s1}核报：{r.s2}",
                    "已反馈" if r.s3 == "answered" else "待反馈", "verification_request",
                    str(r.k1))
    elif src == _GIVEN:
        line = Line(at, "instruction", f"{r.s1}批示（原文）：{r.s2}", "", "instruction", str(r.k1))
    elif src == _PASSED:
        line = Line(at, "instruction",
                    f"传达{r.s1}批示至{r.s2 or r.s3 or ''}，要求{_local(r.d1)}前反馈", "",
                    "instruction", str(r.k1))
    elif src == _FED:
        late = "（逾期）" if at > r.d1 else ""
        line = Line(at, "instruction",
                    f"{r.s2 or r.s3 or ''}反馈{r.s1}批示落实情况{late}：{r.s4}", "",
                    "instruction", str(r.k1))
    elif src == _REPORTED:
        line = Line(at, "instruction", f"向{r.s1}回复批示落实情况：{r.s3}", "已办结",
                    "instruction", str(r.k1))
    elif src == _SIGNED:
        due = f"，办理时限{_local(r.d1)}" if r.d1 else ""
        line = Line(at, "hotline", f"签收市长热线代办事项{r.s1}：{r.s2}{due}",
                    HOTLINE_STATES.get(r.s3, r.s3), "hotline_item", str(r.k1))
    elif src == _NOTIFIED:
        line = Line(at, "hotline", f"市长热线事项{r.s1}转发通知{r.s4 or ''}", "",
                    "hotline_item", str(r.k1))
    else:   # _DONE
        line = Line(at, "hotline", f"市长热线事项{r.s1}办结：{r.s5}", "", "hotline_item",
                    str(r.k1))
    return (at, _SEQ[line.kind], r.k1, _GROUP.get(src, 0), r.k2 or 0, _SUB.get(src, 0)), line


def compile_lines(s: Session, sh: Shift, span: tuple[datetime, datetime] | None = None) -> list[Line]:
    """The shift's records as log lines, in time order (free-text entries are stored, not here).

    Read in one statement (`_sources_statement`) within the shift's window `span` (`window`
    unless given)."""
    start, end = span = span or window(s, sh)
    params = {"unit": sh.unit_id, "shift": sh.id, "start": start, "end": end}
    conn = s.connection()
    return _lines(conn.execute(_sources_statement(conn.dialect.name), params), span).lines


def header(s: Session, sh: Shift, unit_name: str | None = None) -> dict:
    """The book's head; `unit_name` when the caller has read it already."""
    names = _names(s, Person, [*sh.officer_ids, sh.leader_person_id])
    if unit_name is None:
        unit = s.get(Unit, sh.unit_id)
        unit_name = unit.name if unit else ""
    return _head(sh, unit_name,
                 names.get(sh.leader_person_id, "") if sh.leader_person_id else "",
                 [names.get(p, "") for p in sh.officer_ids])


def _head(sh, unit_name: str, leader: str, officers: list[str]) -> dict:
    from rules.staffing import shift_label
    from services.roster_common import shift_facts

    return {"unit_name": unit_name, "shift_label": shift_label(shift_facts(sh)),
            "duty_time": f"{_local(sh.starts_at, '%Y年%m月%d日 %H:%M')} 至 "
                         f"{_local(sh.ends_at, '%Y年%m月%d日 %H:%M')}",
            "shift_leader": leader, "duty_officers": officers}


_UNREAD = object()


def handover_section(s: Session, sh: Shift, given=_UNREAD) -> dict | None:
    """The handover this shift gave (第十三、十四条): equipment, items passed on, time, names.
    `given`: that handover (or None) when the caller has read it already (`_handovers`)."""
    from services import open_items
    from rules.handover import PARTY_LABELS

    h = s.execute(select(Handover).where(Handover.outgoing_shift_id == sh.id)
                  .order_by(Handover.id.desc()).limit(1)).scalar_one_or_none() \
        if given is _UNREAD else given
    if h is None:
        return None
    users = _names(s, User, [h.outgoing_confirmed_by_id, h.incoming_confirmed_by_id])
    items = []
    for i in h.items:
        if not i.passed_on:
            items.append(f"{open_items.kind_label(i.kind)}「{i.title}」（未交接，由交班人员继续办理）")
            continue
        who = PARTY_LABELS.get(i.responsible, "") if i.responsible else ""
        items.append(f"{open_items.kind_label(i.kind)}「{i.title}」" + (f"（责任：{who}）" if who else ""))
    return {
        "handover_id": h.id, "state": h.state, "summary": h.summary,
        "equipment": [{"name": e.get("item", ""), "ok": e.get("ok"), "note": e.get("note", "")}
                      for e in h.equipment or []],
        "open_items": items,
        "handed_over_at": _local(h.incoming_confirmed_at, "%Y年%m月%d日 %H:%M") if h.incoming_confirmed_at else "",
        "outgoing": users.get(h.outgoing_confirmed_by_id, ""),
        "incoming": users.get(h.incoming_confirmed_by_id, ""),
        "outgoing_confirmed_at": _local(h.outgoing_confirmed_at, "%Y-%m-%d %H:%M"),
        "incoming_confirmed_at": _local(h.incoming_confirmed_at, "%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------- writing

def _book(s: Session, sh: Shift, *, lock: bool = False) -> LogBook:
    book = s.execute(select(LogBook).where(LogBook.shift_id == sh.id)
                     .with_for_update(of=LogBook) if lock else
                     select(LogBook).where(LogBook.shift_id == sh.id)).scalar_one_or_none()
    if book is None:
        book = LogBook(shift_id=sh.id, unit_id=sh.unit_id, day=clock.local(sh.starts_at).date(),
                       created_at=clock.now())
        s.add(book)
        s.flush()
    return book


def _append(s: Session, book: LogBook, line: Line, *, author_user_id=None, is_addendum=False,
            corrects_entry_id=None, recorded_at: datetime | None = None,
            prev: str | None = None) -> LogEntry:
    if prev is None:
        prev = s.execute(select(LogEntry.hash).where(LogEntry.log_book_id == book.id)
                         .order_by(LogEntry.id.desc()).limit(1)).scalar_one_or_none() or GENESIS
    values = dict(log_book_id=book.id, at=line.at, recorded_at=recorded_at or clock.now(),
                  kind=line.kind, text=line.text, handling=line.handling or "",
                  source_kind=line.source_kind, source_id=line.source_id, author=line.author[:50],
                  author_user_id=author_user_id, is_addendum=is_addendum,
                  corrects_entry_id=corrects_entry_id, details=_jsonable(line.details))
    e = LogEntry(**values, prev_hash=prev)
    e.hash = _entry_hash(e)
    s.add(e)
    s.flush()
    return e


def _shift(s: Session, shift_id: int) -> Shift:
    sh = s.get(Shift, shift_id)
    if sh is None:
        raise NotFound("班次不存在")
    return sh


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError([f"{label}：不能为空（{ARTICLE}）"])
    if len(value) > MAX_TEXT:
        raise ValidationError([f"{label}：不超过{MAX_TEXT}字"])
    return value


def add_entry(actor: Actor, shift_id: int, text_: str, at=None) -> int:
    """A free-text entry (其他需要记载的重要内容); refused once the book is sealed."""
    from services.daily.common import aware

    with transaction() as s:
        sh = _shift(s, shift_id)
        require(actor, "logbook.write", sh.unit_id)
        book = _book(s, sh, lock=True)
        if book.sealed_at is not None:
            raise DomainError(f"值班记录本已于交接班时封存，不能再修改；如需更正请添加补记（{ARTICLE}）")
        now = clock.now()
        when = aware(at, "记事时间") or now
        if when > now:
            raise ValidationError(["记事时间：不能晚于当前时间"])
        e = _append(s, book, Line(when, "note", _text(text_, "记事内容"),
                                  author=actor.display_name or actor.username),
                    author_user_id=actor.user_id)
        audit.record(s, actor, "logbook.entry", "log_book", book.id, details={"entry_id": e.id})
        return e.id


def add_addendum(actor: Actor, shift_id: int, corrects_entry_id: int | None, text_: str) -> int:
    """更正补记 after sealing: points to the entry it corrects, which stays as it was."""
    with transaction() as s:
        sh = _shift(s, shift_id)
        require(actor, "logbook.write", sh.unit_id)
        book = _book(s, sh, lock=True)
        if book.sealed_at is None:
            raise DomainError("值班记录本尚未封存，可直接添加记事；补记用于封存后的更正")
        if corrects_entry_id is not None:
            target = s.get(LogEntry, corrects_entry_id)
            if target is None or target.log_book_id != book.id:
                raise ValidationError(["更正对象：不是本记录本中的记录"])
        now = clock.now()
        e = _append(s, book, Line(now, "addendum", _text(text_, "补记内容"),
                                  author=actor.display_name or actor.username),
                    author_user_id=actor.user_id, is_addendum=True,
                    corrects_entry_id=corrects_entry_id)
        audit.record(s, actor, "logbook.addendum", "log_book", book.id,
                     details={"entry_id": e.id, "corrects": corrects_entry_id})
        return e.id


def seal_for_shift(s: Session, shift_id: int, actor: Actor | None = None) -> LogBook:
    """Inside the handover's transaction: write the compiled book and seal it (第十三条).
    A book already sealed is left as it is."""
    sh = _shift(s, shift_id)
    book = _book(s, sh, lock=True)
    if book.sealed_at is not None:
        return book
    now = clock.now()
    prev = s.execute(select(LogEntry.hash).where(LogEntry.log_book_id == book.id)
                     .order_by(LogEntry.id.desc()).limit(1)).scalar_one_or_none() or GENESIS
    head = header(s, sh)
    start, _end = window(s, sh)
    e = _append(s, book, Line(start, "header", f"{head['unit_name']}{head['shift_label']}",
                              details=head), recorded_at=now, prev=prev)
    prev = e.hash
    for line in compile_lines(s, sh):
        prev = _append(s, book, line, recorded_at=now, prev=prev).hash
    section = handover_section(s, sh)
    if section is not None:
        prev = _append(s, book, Line(now, "handover", section.get("summary") or "交接班",
                                     details=section), recorded_at=now, prev=prev).hash
    count = s.execute(select(func.count()).select_from(LogEntry)
                      .where(LogEntry.log_book_id == book.id)).scalar_one()
    book.sealed_at, book.sealed_by_id, book.sealed_entries = now, actor.user_id if actor else None, count
    book.seal_hash = seal_hash(prev, book)
    s.flush()
    audit.record(s, actor, "logbook.seal", "log_book", book.id,
                 details={"shift_id": sh.id, "entries": count})
    return book


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class EntryRow:
    number: int                # 1, 2, … in the printed order (0: not numbered)
    id: int | None             # the stored entry (None: compiled live, not yet sealed)
    at: datetime
    kind: str
    text: str
    handling: str
    author: str
    source_kind: str | None
    source_id: str | None
    corrects_entry_id: int | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class LogBookView:
    shift_id: int
    book_id: int | None
    unit_id: int
    unit_name: str
    shift_label: str
    duty_time: str
    shift_leader: str
    duty_officers: list[str]
    entries: list[EntryRow]
    addenda: list[EntryRow]
    handover: dict | None
    sealed_at: datetime | None
    seal_hash: str | None

    @property
    def sealed(self) -> bool:
        return self.sealed_at is not None

    def as_document(self) -> dict:
        """What documents.official.render_log_book reads."""
        numbers = {e.id: e.number for e in self.entries if e.id is not None}
        return {
            "unit_name": self.unit_name, "duty_time": self.duty_time,
            "shift_leader": self.shift_leader, "duty_officers": self.duty_officers,
            "entries": [{"time": _local(e.at, "%m-%d %H:%M"), "category": e.kind_label,
                         "content": e.text, "handling": e.handling, "recorder": e.author}
                        for e in self.entries],
            "handover": self.handover or {},
            "addenda": [{"corrects": numbers.get(a.corrects_entry_id, ""), "content": a.text,
                         "time": _local(a.at, "%Y-%m-%d %H:%M"), "recorder": a.author}
                        for a in self.addenda],
            "sealed_at": _local(self.sealed_at, "%Y-%m-%d %H:%M:%S") if self.sealed_at else "",
            "digest": self.seal_hash or "",
        }


def _row(n: int, e: LogEntry | _Stored) -> EntryRow:
    return EntryRow(n, e.id, e.at, e.kind, e.text, e.handling, e.author, e.source_kind,
                    e.source_id, e.corrects_entry_id)


class _ShiftHead(NamedTuple):
    """The shift as its book reads it: its unit, leader, window, the handover it gave and
    its book; its officers once the book's statement has read them."""

    id: int
    unit_id: int
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    leader_person_id: int | None
    handed_over_at: datetime | None
    started: datetime | None          # the signature of the handover that started it
    given_handover_id: int | None
    book_id: int | None
    sealed_at: datetime | None
    seal_hash: str | None
    officer_ids: tuple[int, ...] = ()

    @property
    def span(self) -> tuple[datetime, datetime]:
        """The window of its records (see `window`)."""
        return self.started or self.starts_at, self.handed_over_at or self.ends_at


def _head_columns() -> tuple:
    """The columns of a _ShiftHead (the shift joined with its unit and its book), the start
    of its window and the handover it gave by their indexes."""
    started = (select(Handover.incoming_confirmed_at)
               .where(Handover.incoming_shift_id == Shift.id, Handover.state == "signed")
               .order_by(Handover.id.desc()).limit(1).scalar_subquery())
    given = (select(Handover.id).where(Handover.outgoing_shift_id == Shift.id)
             .order_by(Handover.id.desc()).limit(1).scalar_subquery())
    return (Shift.id, Shift.unit_id, Unit.name, Shift.starts_at, Shift.ends_at,
            Shift.leader_person_id, Shift.handed_over_at, started, given, LogBook.id,
            LogBook.sealed_at, LogBook.seal_hash)


def _shift_head_of(row) -> _ShiftHead:
    return _ShiftHead(row[0], row[1], row[2] if row[2] is not None else "", *row[3:12])


@lru_cache(maxsize=1)
def _shift_statement():
    """The shift's head (`_head_columns`), built once. Parameter :shift."""
    return (select(*_head_columns())
            .outerjoin(Unit, Unit.id == Shift.unit_id)
            .outerjoin(LogBook, LogBook.shift_id == Shift.id)
            .where(Shift.id == bindparam("shift")))


def _shift_head(s: Session, shift_id: int) -> _ShiftHead:
    row = s.connection().execute(_shift_statement(), {"shift": shift_id}).first()
    if row is None:
        raise NotFound("班次不存在")
    return _shift_head_of(row)


def _view(s: Session, actor: Actor, shift_id: int, head: _ShiftHead | None = None) -> LogBookView:
    """The book of a shift, if the actor may read its unit's books: the shift's head (one
    statement, unless the caller has read it: `_choices`), then its officers and leader with
    their names, its stored entries and, open, its sources in one more (and the handover
    it gave, if there is one)."""
    sh = head if head is not None else _shift_head(s, shift_id)
    require(actor, "logbook.read", sh.unit_id)
    sealed = sh.sealed_at is not None
    params = {"shift": sh.id, "leader": sh.leader_person_id, "book": sh.book_id}
    if not sealed:
        params |= {"unit": sh.unit_id, "start": sh.span[0], "end": sh.span[1]}
    conn = s.connection()
    read = _lines(conn.execute(_book_statement(conn.dialect.name, sealed), params), sh.span)
    sh = sh._replace(officer_ids=tuple(p for p, _n in read.officers))
    officer_names = [n if n is not None else "" for _p, n in read.officers]
    leader_name = (read.leader_name if read.leader_name is not None else "") \
        if sh.leader_person_id else ""
    stored = read.stored
    if sealed:
        head = next((e.details for e in stored if e.kind == "header"), None) \
            or _head(sh, sh.unit_name, leader_name, officer_names)
        handover = next((e.details for e in stored if e.kind == "handover"), None)
        body = [e for e in stored if e.kind not in ("header", "handover") and not e.is_addendum]
        body.sort(key=lambda e: (e.at, _SEQ[e.kind], e.id))
        rows = [_row(n, e) for n, e in enumerate(body, start=1)]
    else:
        head = _head(sh, sh.unit_name, leader_name, officer_names)
        handover = (handover_section(s, None, s.get(Handover, sh.given_handover_id))
                    if sh.given_handover_id is not None else None)
        merged = [(ln.at, _SEQ[ln.kind], 0, ln) for ln in read.lines]
        merged += [(e.at, _SEQ[e.kind], e.id, e) for e in stored if not e.is_addendum]
        merged.sort(key=lambda x: x[:3])
        rows = []
        for n, (_at, _k, _i, item) in enumerate(merged, start=1):
            if isinstance(item, _Stored):
                rows.append(_row(n, item))
            else:
                rows.append(EntryRow(n, None, item.at, item.kind, item.text, item.handling,
                                     item.author, item.source_kind, item.source_id))
    addenda = [e for e in stored if e.is_addendum]
    return LogBookView(sh.id, sh.book_id, sh.unit_id, head["unit_name"],
                       head.get("shift_label", ""), head["duty_time"], head["shift_leader"],
                       list(head["duty_officers"]), rows, [_row(0, a) for a in addenda], handover,
                       sh.sealed_at, sh.seal_hash)


def log_book(actor: Actor, shift_id: int) -> LogBookView:
    """The shift's book: sealed → as stored; open → compiled now, with its free-text entries."""
    with reading() as s:
        return _view(s, actor, shift_id)


def log_book_docx(actor: Actor, shift_id: int) -> bytes:
    """The printable book (.docx, traditional layout with signature lines); printing is audited."""
    from documents.official import render_log_book

    view = log_book(actor, shift_id)
    data = render_log_book(view.as_document())
    with transaction() as s:
        audit.record(s, actor, "logbook.print", "shift", shift_id, details={"sealed": view.sealed})
    return data


def log_book_pdf(actor: Actor, shift_id: int) -> bytes | None:
    """PDF where a converter (LibreOffice) is installed; None otherwise."""
    from documents.official import docx_to_pdf

    return docx_to_pdf(log_book_docx(actor, shift_id))


@dataclass(frozen=True)
class ShiftChoice:
    shift_id: int
    unit_id: int
    unit_name: str
    starts_at: datetime
    ends_at: datetime
    state: str
    sealed: bool

    @property
    def label(self) -> str:
        seal = "（已封存）" if self.sealed else ""
        return (f"{self.unit_name} {_local(self.starts_at, '%Y-%m-%d %H:%M')}–"
                f"{_local(self.ends_at, '%m-%d %H:%M')}{seal}")


def unit_choices(actor: Actor) -> dict[int, str]:
    """The units whose books the actor may open: id → name, street office first."""
    with reading() as s:
        return common.unit_choices(s, scoped_unit(actor, "logbook.read"))


@lru_cache(maxsize=4)
def _choices_statement(heads: bool, scoped: bool):
    """The shifts offered, built once (building it and its cache key cost ~1 ms a run):
    parameters :now, :since, :first (since − LONGEST_SHIFT, the starts_at bound that lets
    the (unit_id, starts_at) index read only the window) and, scoped, :unit."""
    columns = (_head_columns() if heads else (Shift.id, Shift.unit_id, Unit.name,
                                               Shift.starts_at, Shift.ends_at))
    q = (select(*columns, Shift.state, LogBook.sealed_at)
         .join(Unit, Unit.id == Shift.unit_id)
         .outerjoin(LogBook, LogBook.shift_id == Shift.id)
         .where(Shift.starts_at <= bindparam("now"), Shift.starts_at > bindparam("first"),
                Shift.ends_at > bindparam("since")))
    if scoped:
        q = q.where(Shift.unit_id == bindparam("unit"))
    return q.order_by(Shift.starts_at.desc(), Shift.id.desc()).limit(200)


def _choices(s: Session, now: datetime, days: int, unit_id: int | None,
             heads: bool = False) -> list[ShiftChoice] | tuple[list[ShiftChoice], dict[int, _ShiftHead]]:
    """The shifts of the last `days` days (newest first); `heads`: with each one's head
    (`_head_columns`: the book of whichever is shown needs no statement of its own)."""
    since = now - timedelta(days=days)
    params = {"now": now, "since": since, "first": since - LONGEST_SHIFT, "unit": unit_id}
    rows = s.connection().execute(_choices_statement(heads, unit_id is not None), params).all()
    choices = [ShiftChoice(r[0], r[1], r[2], r[3], r[4], r[-2], r[-1] is not None) for r in rows]
    if not heads:
        return choices
    return choices, {r[0]: _shift_head_of(r) for r in rows}


def shift_choices(actor: Actor, days: int = 7, unit_id: int | None = None) -> list[ShiftChoice]:
    """The shifts of the last `days` days up to now (newest first): whose book can be opened.

    Read as columns within a window on starts_at (the (unit_id, starts_at) index), never the
    unit's whole history; `unit_id` (or the actor's own scope) narrows it to one unit."""
    with reading() as s:
        scope = scoped_unit(actor, "logbook.read")
        return _choices(s, clock.now(), days, scope if scope is not None else unit_id)


def _current(s: Session, unit_id: int, now: datetime) -> int | None:
    candidates = union(
        select(Shift.id).where(Shift.state == "on_duty"),
        select(Shift.id).where(Shift.unit_id == unit_id, Shift.starts_at <= now,
                               Shift.starts_at > now - LONGEST_SHIFT))
    return s.execute(select(Shift.id).where(
        Shift.id.in_(candidates), Shift.unit_id == unit_id,
        or_(Shift.state == "on_duty",
            and_(Shift.state == "scheduled", Shift.starts_at <= now, Shift.ends_at > now)))
        .order_by(Shift.state != "on_duty", Shift.starts_at).limit(1)).scalar_one_or_none()


def current_shift_id(actor: Actor, unit_id: int | None = None) -> int | None:
    """The unit's shift now: the one on duty, else the one planned for now. Only shifts on
    duty (the state index) and those starting within a shift's length are looked at."""
    unit_id = unit_id if unit_id is not None else actor.unit_id
    if unit_id is None:
        return None
    with reading() as s:
        require(actor, "logbook.read", unit_id)
        return _current(s, unit_id, clock.now())


@dataclass(frozen=True)
class BookDesk:
    """What the log book page shows, read in one transaction."""

    units: dict[int, str]            # whose books the actor may open (street office first)
    unit_id: int | None              # the one shown
    choices: list[ShiftChoice]       # its shifts of the last days, newest first
    shift_id: int | None             # the one shown: as asked, else the current, else the newest
    book: LogBookView | None


def desk(actor: Actor, unit_id: int | None = None, shift_id: int | None = None,
         days: int = 7) -> BookDesk:
    """The log book page in one read: the units, one unit's recent shifts, and the book of
    the shift asked for (else the unit's current shift, else its newest)."""
    now = clock.now()
    with reading() as s:
        scope = scoped_unit(actor, "logbook.read")
        # Reruns of the page (each click, each keystroke sent) find it computed; the shifts
        # offered and the current one move with the minute.
        return view_cache.cached(
            s, ("logbook.desk", scope, actor.unit_id, unit_id, shift_id, days,
                now.replace(second=0, microsecond=0)),
            lambda: _desk(s, actor, scope, unit_id, shift_id, days, now))


def _desk(s: Session, actor: Actor, scope: int | None, unit_id: int | None,
          shift_id: int | None, days: int, now: datetime) -> BookDesk:
    units = common.unit_choices(s, scope)
    if unit_id not in units:
        unit_id = actor.unit_id if actor.unit_id in units else next(iter(units), None)
    if unit_id is None:
        return BookDesk(units, None, [], None, None)
    choices, heads = _choices(s, now, days, unit_id, heads=True)
    ids = [c.shift_id for c in choices]
    if shift_id not in ids:
        current = _current(s, unit_id, now)
        shift_id = current if current in ids else (ids[0] if ids else None)
    book = None
    if shift_id is not None:
        book = _view(s, actor, shift_id, heads[shift_id])
    return BookDesk(units, unit_id, choices, shift_id, book)


@dataclass(frozen=True)
class SearchHit:
    shift_id: int
    unit_name: str
    day: date
    at: datetime
    kind: str
    text: str
    author: str
    sealed: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _search_query(actor: Actor, columns, first: date | None, last: date | None,
                  unit_id: int | None, words: str):
    scope = scoped_unit(actor, "logbook.read")
    q = (select(*columns).join(LogBook, LogBook.id == LogEntry.log_book_id)
         .where(LogEntry.kind.not_in(("header", "handover"))))
    if scope is not None:
        q = q.where(LogBook.unit_id == scope)
    elif unit_id is not None:
        q = q.where(LogBook.unit_id == unit_id)
    if first is not None:
        q = q.where(LogBook.day >= first)
    if last is not None:
        q = q.where(LogBook.day <= last)
    for word in (words or "").split():
        like = f"%{word.replace('%', '').replace('_', '')}%"
        q = q.where(or_(LogEntry.text.like(like), LogEntry.handling.like(like),
                        LogEntry.author.like(like)))
    return q


def _hits(s: Session, q) -> list[SearchHit]:
    rows = s.execute(q.join(Unit, Unit.id == LogBook.unit_id)
                     .order_by(LogBook.day.desc(), LogEntry.at, LogEntry.id)).all()
    return [SearchHit(r.shift_id, r.name, r.day, r.at, r.kind, r.text, r.author,
                      r.sealed_at is not None) for r in rows]


_HIT_COLUMNS = (LogBook.shift_id, Unit.name, LogBook.day, LogBook.sealed_at, LogEntry.at,
                LogEntry.kind, LogEntry.text, LogEntry.author)


def search(actor: Actor, first: date | None = None, last: date | None = None,
           unit_id: int | None = None, words: str = "", limit: int = 300) -> list[SearchHit]:
    """Entries of the kept log books by date range (the shift's day), unit and text.
    Sealed books hold every line; an open book's free-text entries are found too."""
    with reading() as s:
        return _hits(s, _search_query(actor, _HIT_COLUMNS, first, last, unit_id, words).limit(limit))


SEARCH_PER_PAGE = 50


def search_page(actor: Actor, first: date | None = None, last: date | None = None,
                unit_id: int | None = None, words: str = "", page: int = 1,
                per_page: int = SEARCH_PER_PAGE) -> Paged[SearchHit]:
    """`search`, a page at a time (newest day first), with the number of entries found."""
    with reading() as s:
        total = s.execute(_search_query(actor, (func.count(LogEntry.id),), first, last, unit_id,
                                        words)).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        hits = _hits(s, _search_query(actor, _HIT_COLUMNS, first, last, unit_id, words)
                     .offset(offset).limit(per_page)) if total else []
        return Paged(hits, total, page, per_page)


# ---------------------------------------------------------------- verification

@dataclass
class LogBookReport:
    books: int
    entries: int
    broken_book_id: int | None = None
    broken_entry_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_book_id is None


def verify_log_books(s: Session) -> LogBookReport:
    """Walk every book's chain in id order: each entry's link and hash; a sealed book's seal
    (its entry count and seal hash), and only addenda after the seal."""
    report = LogBookReport(0, 0)
    books = {b.id: b for b in s.execute(select(LogBook).order_by(LogBook.id)).scalars()}
    state: dict[int, tuple[str, int]] = {bid: (GENESIS, 0) for bid in books}
    report.books = len(books)

    def broken(book_id, entry_id, reason):
        report.broken_book_id, report.broken_entry_id, report.reason = book_id, entry_id, reason
        return report

    for e in s.execute(select(LogEntry).order_by(LogEntry.id).execution_options(yield_per=2000)).scalars():
        report.entries += 1
        book = books.get(e.log_book_id)
        prev, n = state.get(e.log_book_id, (GENESIS, 0))
        if e.prev_hash != prev:
            return broken(e.log_book_id, e.id, "链接断裂：上一条哈希不符（可能有记录被删除或插入）")
        if e.hash != _entry_hash(e):
            return broken(e.log_book_id, e.id, "内容被篡改：哈希与内容不符")
        n += 1
        if book is not None and book.sealed_at is not None and n == book.sealed_entries:
            if book.seal_hash != seal_hash(e.hash, book):
                return broken(book.id, e.id, "封存校验码不符：记录本在封存后被改动")
        if book is not None and book.sealed_at is not None and book.sealed_entries is not None \
                and n > book.sealed_entries and not e.is_addendum:
            return broken(book.id, e.id, "封存后新增了非补记记录")
        state[e.log_book_id] = (e.hash, n)
    for bid, book in books.items():
        if book.sealed_at is not None and state[bid][1] < (book.sealed_entries or 0):
            return broken(bid, None, "封存时的记录缺失")
        if book.sealed_at is not None and (book.sealed_entries or 0) == 0 \
                and book.seal_hash != seal_hash(GENESIS, book):
            return broken(bid, None, "封存校验码不符：记录本在封存后被改动")
    return report
