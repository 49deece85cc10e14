"""The log book as compiled before the page's reads were merged (commit ee3f476): one read
per record source, the shift as a mapped object, the head's names and the handovers read
apart. Kept only to compare the merged reads with, line for line (tests/test_logbook_reads.py)."""
from __future__ import annotations

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import Session, aliased, lazyload

from models.auth import User
from models.daily import Call, HotlineItem, Instruction, InstructionTarget, LogBook, LogEntry
from models.incident import Incident, IncidentEvent, VerificationRequest
from models.org import Person, Unit
from models.roster import CheckIn, Handover, Shift
from services.daily.logbook import _SEQ, EntryRow, Line, LogBookView, _local, _row

_OWNER, _TAKER = aliased(User), aliased(User)


def _in(column, start, end):
    return and_(column >= start, column < end)


def _names(s, model, ids):
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    col = model.display_name if model is User else model.name
    return dict(s.execute(select(model.id, col).where(model.id.in_(ids))).all())


def _handovers(s, sh):
    started, given = None, None
    for h in s.execute(select(Handover).options(lazyload(Handover.items)).where(
            or_(Handover.incoming_shift_id == sh.id, Handover.outgoing_shift_id == sh.id))
            .order_by(Handover.id.desc())).scalars():
        if h.outgoing_shift_id == sh.id and given is None:
            given = h
        if h.incoming_shift_id == sh.id and h.state == "signed" and started is None:
            started = h.incoming_confirmed_at
    return (started or sh.starts_at, sh.handed_over_at or sh.ends_at), given
def compile_lines(s: Session, sh: Shift, span) -> list[Line]:
    """The shift's records as log lines, in time order (free-text entries are stored, not here).

    Each source is read as bare columns within the shift's window `span` (`window` unless
    given), by ranges on indexed times: never the unit's whole history."""
    from services.daily.calls import IMPORTANCE_LABELS, KIND_LABELS as CALL_KINDS, STATE_LABELS
    from services.daily.hotline import STATE_LABELS as HOTLINE_STATES
    from services.incidents.common import EVENT_LABELS

    start, end = span
    unit = sh.unit_id
    lines: list[Line] = []
    for cid, at, late, name in s.execute(
            select(CheckIn.id, CheckIn.at, CheckIn.late, Person.name)
            .outerjoin(Person, Person.id == CheckIn.person_id)
            .where(CheckIn.shift_id == sh.id).order_by(CheckIn.id)):
        name = name or ""
        lines.append(Line(at, "check_in", f"{name}到岗签到" + ("（迟到，第十四条）" if late else ""),
                          source_kind="check_in", source_id=str(cid), author=name))

    for c in s.execute(
            select(Call.id, Call.at, Call.caller_unit, Call.caller, Call.number, Call.kind,
                   Call.importance, Call.summary, Call.state, Call.result, Call.incident_id,
                   Call.verification_request_id, Call.instruction_id,
                   _OWNER.display_name.label("owner_name"), _TAKER.display_name.label("taker_name"))
            .outerjoin(_OWNER, _OWNER.id == Call.owner_user_id)
            .outerjoin(_TAKER, _TAKER.id == Call.taken_by_id)
            .where(Call.unit_id == unit, _in(Call.at, start, end)).order_by(Call.at, Call.id)):
        who = "，".join(x for x in (c.caller_unit, c.caller, c.number) if x) or "未留姓名"
        links = [x for x in (f"已转突发事件#{c.incident_id}" if c.incident_id else "",
                             f"已登记核报#{c.verification_request_id}" if c.verification_request_id else "",
                             f"已登记领导批示#{c.instruction_id}" if c.instruction_id else "") if x]
        handling = "；".join([f"{STATE_LABELS[c.state]}" + (f"：{c.result}" if c.result else ""),
                             f"首接负责：{c.owner_name or ''}", *links])
        lines.append(Line(c.at, "call", f"【{CALL_KINDS.get(c.kind, c.kind)}·"
                                         f"{IMPORTANCE_LABELS.get(c.importance, '')}】{who}：{c.summary}",
                          handling, "call", str(c.id), c.taker_name or ""))

    # The window's events first (a range on incident_event.at), then their incidents: not
    # every incident the unit ever had.
    in_window = select(IncidentEvent.id).where(_in(IncidentEvent.at, start, end))
    for ev in s.execute(select(
            IncidentEvent.id, IncidentEvent.incident_id, IncidentEvent.at, IncidentEvent.kind,
            IncidentEvent.note, IncidentEvent.from_state, IncidentEvent.to_state,
            IncidentEvent.actor_name, Incident.title)
            .join(Incident, Incident.id == IncidentEvent.incident_id).where(
            IncidentEvent.id.in_(in_window), Incident.unit_id == unit)
            .order_by(IncidentEvent.at, IncidentEvent.id)):
        label = EVENT_LABELS.get(ev.kind, ev.kind)
        lines.append(Line(ev.at, "incident", f"【{ev.title}】{label}" + (f"：{ev.note}" if ev.note else ""),
                          f"{ev.from_state} → {ev.to_state}" if ev.to_state and ev.from_state else "",
                          "incident", str(ev.incident_id), ev.actor_name,
                          {"event_id": ev.id, "kind": ev.kind}))

    for v in s.execute(select(
            VerificationRequest.id, VerificationRequest.logged_at, VerificationRequest.requester,
            VerificationRequest.content, VerificationRequest.state).where(
            VerificationRequest.unit_id == unit, VerificationRequest.incident_id.is_(None),
            _in(VerificationRequest.logged_at, start, end)).order_by(VerificationRequest.id)):
        lines.append(Line(v.logged_at, "verification", f"{v.requester}核报：{v.content}",
                          "已反馈" if v.state == "answered" else "待反馈", "verification_request",
                          str(v.id)))

    # The instructions with a time in the window, each time a range on its own index, and
    # their targets (receivers' names joined in) in the same read.
    touched = union(
        select(Instruction.id).where(_in(Instruction.given_at, start, end)),
        select(Instruction.id).where(_in(Instruction.reported_at, start, end)),
        select(InstructionTarget.instruction_id).where(_in(InstructionTarget.passed_on_at, start, end)),
        select(InstructionTarget.instruction_id).where(_in(InstructionTarget.fed_back_at, start, end)))
    instructions: dict[int, tuple] = {}
    targets: dict[int, list] = {}
    for r in s.execute(select(
            Instruction.id, Instruction.leader_name, Instruction.given_at, Instruction.text,
            Instruction.reported_at, Instruction.result, InstructionTarget.id.label("target_id"),
            InstructionTarget.passed_on_at, InstructionTarget.feedback_due,
            InstructionTarget.fed_back_at, InstructionTarget.feedback_text,
            Unit.name.label("unit_name"), Person.name.label("person_name"))
            .outerjoin(InstructionTarget, InstructionTarget.instruction_id == Instruction.id)
            .outerjoin(Unit, Unit.id == InstructionTarget.unit_id)
            .outerjoin(Person, Person.id == InstructionTarget.person_id)
            .where(Instruction.unit_id == unit, Instruction.id.in_(touched))
            .order_by(Instruction.id, InstructionTarget.id)):
        instructions.setdefault(r.id, r)
        items = targets.setdefault(r.id, [])
        if r.target_id is not None:
            items.append(r)
    for i in instructions.values():
        src = ("instruction", str(i.id))
        if start <= i.given_at < end:
            lines.append(Line(i.given_at, "instruction", f"{i.leader_name}批示（原文）：{i.text}", "",
                              *src))
        for t in targets[i.id]:
            who = t.unit_name or t.person_name or ""
            if start <= t.passed_on_at < end:
                lines.append(Line(t.passed_on_at, "instruction",
                                  f"传达{i.leader_name}批示至{who}，要求{_local(t.feedback_due)}前反馈",
                                  "", *src))
            if t.fed_back_at is not None and start <= t.fed_back_at < end:
                late = "（逾期）" if t.fed_back_at > t.feedback_due else ""
                lines.append(Line(t.fed_back_at, "instruction",
                                  f"{who}反馈{i.leader_name}批示落实情况{late}：{t.feedback_text}", "",
                                  *src))
        if i.reported_at is not None and start <= i.reported_at < end:
            lines.append(Line(i.reported_at, "instruction",
                              f"向{i.leader_name}回复批示落实情况：{i.result}", "已办结", *src))

    # Hotline items signed, forwarded or done in the window: a range on each (unit, time) index.
    moved = union(*(select(HotlineItem.id).where(HotlineItem.unit_id == unit, _in(column, start, end))
                    for column in (HotlineItem.signed_at, HotlineItem.notified_at, HotlineItem.done_at)))
    for h in s.execute(
            select(HotlineItem.id, HotlineItem.item_no, HotlineItem.content, HotlineItem.deadline,
                   HotlineItem.state, HotlineItem.signed_at, HotlineItem.notified_at,
                   HotlineItem.done_at, HotlineItem.result, Person.name.label("forwarded_to"))
            .outerjoin(Person, Person.id == HotlineItem.forwarded_to_person_id)
            .where(HotlineItem.id.in_(moved)).order_by(HotlineItem.id)):
        src = ("hotline_item", str(h.id))
        if h.signed_at is not None and start <= h.signed_at < end:
            due = f"，办理时限{_local(h.deadline)}" if h.deadline else ""
            lines.append(Line(h.signed_at, "hotline", f"签收市长热线代办事项{h.item_no}：{h.content}{due}",
                              HOTLINE_STATES.get(h.state, h.state), *src))
        if h.notified_at is not None and start <= h.notified_at < end:
            lines.append(Line(h.notified_at, "hotline",
                              f"市长热线事项{h.item_no}转发通知{h.forwarded_to or ''}",
                              "", *src))
        if h.done_at is not None and start <= h.done_at < end:
            lines.append(Line(h.done_at, "hotline", f"市长热线事项{h.item_no}办结：{h.result}", "",
                              *src))
    lines.sort(key=lambda x: (x.at, _SEQ[x.kind]))
    return lines


def header(s, sh, unit_name=None):
    from rules.staffing import shift_label
    from services.roster_common import shift_facts

    names = _names(s, Person, [*sh.officer_ids, sh.leader_person_id])
    if unit_name is None:
        unit = s.get(Unit, sh.unit_id)
        unit_name = unit.name if unit else ""
    return {"unit_name": unit_name, "shift_label": shift_label(shift_facts(sh)),
            "duty_time": f"{_local(sh.starts_at, '%Y年%m月%d日 %H:%M')} 至 "
                         f"{_local(sh.ends_at, '%Y年%m月%d日 %H:%M')}",
            "shift_leader": names.get(sh.leader_person_id, "") if sh.leader_person_id else "",
            "duty_officers": [names.get(p, "") for p in sh.officer_ids]}


def handover_section(s, given):
    from services import open_items
    from rules.handover import PARTY_LABELS

    h = given
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


def view(s: Session, sh: Shift, unit_name: str | None = None) -> LogBookView:
    book, stored = None, []
    for b, e in s.execute(select(LogBook, LogEntry)
                          .outerjoin(LogEntry, LogEntry.log_book_id == LogBook.id)
                          .where(LogBook.shift_id == sh.id).order_by(LogEntry.id)):
        book = b
        if e is not None:
            stored.append(e)
    addenda = [e for e in stored if e.is_addendum]
    if book is not None and book.sealed_at is not None:
        head = next((e.details for e in stored if e.kind == "header"), None) or header(s, sh, unit_name)
        handover = next((e.details for e in stored if e.kind == "handover"), None)
        body = [e for e in stored if e.kind not in ("header", "handover") and not e.is_addendum]
        body.sort(key=lambda e: (e.at, _SEQ[e.kind], e.id))
        rows = [_row(n, e) for n, e in enumerate(body, start=1)]
    else:
        head = header(s, sh, unit_name)
        span, given = _handovers(s, sh)
        handover = handover_section(s, given)
        notes = [e for e in stored if not e.is_addendum]
        merged = [(ln.at, _SEQ[ln.kind], 0, ln) for ln in compile_lines(s, sh, span)]
        merged += [(e.at, _SEQ[e.kind], e.id, e) for e in notes]
        merged.sort(key=lambda x: x[:3])
        rows = []
        for n, (_at, _k, _i, item) in enumerate(merged, start=1):
            if isinstance(item, LogEntry):
                rows.append(_row(n, item))
            else:
                rows.append(EntryRow(n, None, item.at, item.kind, item.text, item.handling,
                                     item.author, item.source_kind, item.source_id))
    return LogBookView(sh.id, book.id if book else None, sh.unit_id, head["unit_name"],
                       head.get("shift_label", ""), head["duty_time"], head["shift_leader"],
                       list(head["duty_officers"]), rows, [_row(0, a) for a in addenda], handover,
                       book.sealed_at if book else None, book.seal_hash if book else None)
