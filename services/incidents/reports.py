"""Reports (第十八、十九、二十一、二十二条): draft → submit → 签发 → send, and phone reports.

A written report is a snapshot of the eleven elements of 第十九条. An urgent initial
report may go with gaps (stored and shown); the next report must fill them and say what
changed since the last one. A shift leader signs it off (签发) or returns it with a
comment. Sending records channel, recipients and time, satisfies the stored clocks it
meets, demands a reason when late (说明原因, 第二十一条) and moves the incident machine.

Which clocks a sent report meets: those of its incident whose recipient is among the
report's recipients and whose channel the report's channel covers — phone and SMS meet
phone clocks and leave a written report owed (第二十二条); written, fax and the national
system meet written clocks and any still-open phone clock of the same recipient.

Two officers creating the same report at once: the incident's version is bumped by every
report created or sent, and (incident_id, kind, number, by_phone) is unique, so exactly
one is stored and the other gets ConcurrentEditError.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.incident import Incident, Report
from models.org import Unit
from rules.deadlines import RECIPIENT_LABELS
from rules.report_elements import (
    CHANNEL_LABELS, CLASSIFICATION_LABELS, CONSEQUENCE_FIELDS, ELEMENTS, REPORT_KINDS,
    changed_elements, channel_problem, missing_elements,
)
from services import audit, clock
from services.errors import DomainError, NotFound, ValidationError
from services.incidents.common import (
    QUICK_CHANNELS, REPORT_DEADLINE_KINDS, REPORT_STATUS_LABELS, SATISFIES, SOURCE_KIND_LABELS,
    URGENCY_LABELS, add_event, aware, check_classification, check_recipients, current_table,
    check_version, deadline_label, ensure_written_owed, fire_or_refuse, flush_or_conflict,
    load_incident,
    needs_reason, not_closed, refresh_written_owed, text_of, touch, user_names,
)
from services.incidents.rows import ReportRow, report_label, report_row, report_user_ids
from services.permissions import Actor, require
from services.uow import reading, transaction

TEXT_ELEMENTS = [code for code, _ in ELEMENTS]
DOCUMENT_ORDER = {"initial": 0, "follow_up": 1, "final": 2}


@dataclass
class ReportContent:
    """What a report says: the eleven elements (第十九条) and where it is meant to go.

    `elements` maps the codes of rules.report_elements.ELEMENTS to text; "consequences"
    holds any words beyond the four figures (0 is an answer, blank is a gap).
    """

    elements: dict = field(default_factory=dict)
    deaths: int | None = None
    injuries: int | None = None
    missing: int | None = None
    losses: str = ""
    changes_since_last: str = ""      # 续报/终报: what changed since the last report
    recipients: list = field(default_factory=list)
    classification: str | None = None  # None: the incident's
    urgency: str | None = None          # extra_urgent 特急 / urgent 加急 / None
    unverified: bool = False            # 边核实边报告 (also set when reported before verifying)


@dataclass
class PhoneReportInput:
    """A report made by phone (电话口头报告, 第二十二条), recorded once the call is made."""

    recipients: list
    summary: str = ""
    sent_at: object = None              # datetime; None = now; naive = Beijing time
    delay_reason: str = ""
    kind: str | None = None             # initial / follow_up; None = initial until one was sent
    unverified: bool = False


@dataclass(frozen=True)
class SendResult:
    report_id: int
    state: str                          # the incident's state afterwards
    satisfied: list                     # labels of the clocks this report met
    late: list                          # … of those it met late (reason stored)
    written_owed: list                  # … of the written reports now owed (第二十二条)


# ---------------------------------------------------------------- content

def consequences_value(elements: dict, deaths, injuries, missing, losses) -> dict:
    return {"deaths": deaths, "injuries": injuries, "missing": missing, "losses": losses or "",
            "text": (elements or {}).get("consequences", "")}


def _values(r: Report) -> dict:
    """The report's elements as rules.report_elements sees them."""
    values = {code: (r.elements or {}).get(code, "") for code in TEXT_ELEMENTS}
    values["consequences"] = consequences_value(r.elements, r.deaths, r.injuries, r.missing, r.losses)
    return values


def _count(value, label: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(f"{label}：请填写不小于 0 的整数（第十九条 已造成的后果）", field=label)
    return value


def _apply_content(r: Report, c: ReportContent, inc: Incident) -> None:
    unknown = set(c.elements or {}) - set(TEXT_ELEMENTS)
    if unknown:
        raise DomainError(f"报告要素：未知的要素 {'、'.join(sorted(unknown))}")
    labels = dict(CONSEQUENCE_FIELDS)
    r.elements = {code: text_of((c.elements or {}).get(code)) for code in TEXT_ELEMENTS}
    r.deaths = _count(c.deaths, labels["deaths"])
    r.injuries = _count(c.injuries, labels["injuries"])
    r.missing = _count(c.missing, labels["missing"])
    r.losses = text_of(c.losses)[:200] or None
    r.changes_since_last = text_of(c.changes_since_last)
    r.recipients = check_recipients(c.recipients)
    r.classification = check_classification(c.classification or inc.classification)
    if c.urgency is not None and c.urgency not in URGENCY_LABELS:
        raise DomainError(f"紧急程度：请选择{'、'.join(URGENCY_LABELS.values())}或不标注", field="urgency")
    r.urgency = c.urgency
    r.unverified = bool(c.unverified) or inc.state == "received"
    r.missing_elements = missing_elements(_values(r))


def _documents(inc: Incident) -> list[Report]:
    """The written report chain: 首报, 续报一…, 终报."""
    return sorted((r for r in inc.reports if not r.by_phone),
                  key=lambda r: (DOCUMENT_ORDER[r.kind], r.number))


def _previous(inc: Incident, r: Report) -> Report | None:
    docs = [d for d in _documents(inc) if d.id != r.id and
            (DOCUMENT_ORDER[d.kind], d.number) < (DOCUMENT_ORDER[r.kind], r.number)]
    return docs[-1] if docs else None


def _next_number(inc: Incident, kind: str) -> int:
    if kind != "follow_up":
        return 0
    return 1 + max((r.number for r in inc.reports if not r.by_phone and r.kind == "follow_up"),
                   default=0)


def next_report_kind(inc: Incident) -> str | None:
    """The written report to draft next, or None while one is in progress or after 终报."""
    docs = _documents(inc)
    if not docs:
        return "initial"
    if any(d.status != "sent" for d in docs) or any(d.kind == "final" for d in docs):
        return None
    return "follow_up"


def _check_can_draft(inc: Incident, kind: str) -> None:
    if kind not in REPORT_KINDS:
        raise DomainError(f"报告类型：请选择{'、'.join(REPORT_KINDS.values())}")
    docs = _documents(inc)
    if kind == "initial":
        if any(d.kind == "initial" for d in docs):
            raise DomainError("本事件已有首报，请起草续报或终报（第十九条）")
        return
    if not any(d.kind == "initial" for d in docs):
        raise DomainError(f"请先起草并报送首报，再起草{REPORT_KINDS[kind]}（第十九条）")
    if any(d.kind == "final" for d in docs):
        raise DomainError("本事件已有终报，不能再起草续报或终报（第十九条）")
    unsent = [d for d in docs if d.status != "sent"]
    if unsent:
        raise DomainError(f"「{report_label(unsent[0])}」尚未报送，报送后再起草下一份报告")


def _gaps_problems(inc: Incident, r: Report) -> list[str]:
    """第十八、十九条: what keeps this report from going to the shift leader for 签发."""
    problems = []
    missing = r.missing_elements
    if r.kind == "initial":
        if missing and r.urgency is None:
            problems.append(f"首报要素不全：缺少{'、'.join(missing)}。情况紧急时请标注紧急程度先行报送，"
                            "缺少的要素在续报中补齐（第十八、十九条）")
    else:
        prev = _previous(inc, r)
        left = [label for label in (prev.missing_elements if prev else []) if label in missing]
        if r.kind == "final" and missing:
            problems.append(f"终报须要素齐全：缺少{'、'.join(missing)}（第十九条）")
        elif left:
            problems.append(f"{REPORT_KINDS[r.kind]}须补齐上次报告缺少的要素：{'、'.join(left)}（第十九条）")
        if not r.changes_since_last:
            problems.append(f"新进展：{REPORT_KINDS[r.kind]}须说明与上次报告相比的新进展、新情况（第十九条）")
    if not r.recipients:
        problems.append("报送对象：请至少选择一个（第二十一条）")
    return problems


def _changed(inc: Incident, r: Report) -> list[str]:
    prev = _previous(inc, r) if r.kind != "initial" else None
    return changed_elements(_values(prev), _values(r)) if prev else []


# ---------------------------------------------------------------- loading

def _load_report(s, report_id: int) -> Report:
    r = s.get(Report, report_id)
    if r is None:
        raise NotFound("报告不存在")
    return r


def _status(r: Report, allowed: tuple[str, ...], what: str) -> None:
    if r.status not in allowed:
        raise DomainError(f"报告当前为「{REPORT_STATUS_LABELS[r.status]}」，不能{what}")


def _audit_details(r: Report) -> dict:
    return {"incident_id": r.incident_id, "kind": r.kind, "number": r.number,
            "by_phone": r.by_phone, "status": r.status}


# ---------------------------------------------------------------- templates and reading

def report_template(actor: Actor, incident_id: int, kind: str) -> ReportContent:
    """A form pre-filled for the next report: from the incident for 首报, else from the last one."""
    with reading() as s:
        inc = load_incident(s, incident_id)
        require(actor, "incident.read", inc.unit_id)
        docs = [d for d in _documents(inc) if d.status == "sent"] if kind != "initial" else []
        recipients = list(dict.fromkeys(
            d.recipient for d in inc.deadlines if d.satisfied_at is None and d.kind in REPORT_DEADLINE_KINDS))
        if docs:
            last = docs[-1]
            return ReportContent(elements=dict(last.elements or {}), deaths=last.deaths,
                                 injuries=last.injuries, missing=last.missing,
                                 losses=last.losses or "", recipients=recipients or list(last.recipients),
                                 classification=inc.classification, urgency=last.urgency)
        source = SOURCE_KIND_LABELS.get(inc.source_kind, "")
        elements = {
            "time": clock.fmt(inc.occurred_at, "%Y年%m月%d日%H时%M分"),
            "place": inc.place,
            "source": f"{source}：{inc.source_text}" if inc.source_text else source,
            "situation": inc.description,
        }
        return ReportContent(elements=elements, recipients=recipients,
                             classification=inc.classification,
                             urgency="extra_urgent" if inc.level in ("I", "II") else None)


def report_detail(actor: Actor, report_id: int) -> ReportRow:
    with reading() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "incident.read", inc.unit_id)
        return report_row(r, inc.title, user_names(s, report_user_ids(r)))


# ---------------------------------------------------------------- drafting and sign-off

def draft_report(actor: Actor, incident_id: int, incident_version: int, kind: str,
                 content: ReportContent) -> int:
    """Start a written report (首报 / 续报N / 终报) as a draft; returns its id.

    `incident_version` is the version the page loaded: a second officer drafting the same
    report at the same time gets ConcurrentEditError and nothing is stored twice.
    """
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "report.draft", inc.unit_id)
        check_version(inc, incident_version)
        not_closed(inc, "起草报告")
        _check_can_draft(inc, kind)
        now = clock.now()
        r = Report(kind=kind, number=_next_number(inc, kind), by_phone=False, status="draft",
                   drafted_by_id=actor.user_id, drafted_at=now, written_owed=False)
        _apply_content(r, content, inc)
        inc.reports.append(r)
        r.changed_elements = _changed(inc, r)
        touch(inc)
        flush_or_conflict(s)
        add_event(s, inc, actor, "report_drafted", details={"report_id": r.id, "title": report_label(r)})
        audit.record(s, actor, "report.draft", "report", r.id, details=_audit_details(r))
        return r.id


def update_draft(actor: Actor, report_id: int, version: int, content: ReportContent) -> None:
    """Edit a draft or a returned report (the gaps and changes are recomputed)."""
    with transaction() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "report.draft", inc.unit_id)
        check_version(r, version)
        _status(r, ("draft", "returned"), "修改")
        _apply_content(r, content, inc)
        r.changed_elements = _changed(inc, r)
        s.flush()
        audit.record(s, actor, "report.update", "report", r.id,
                     details={**_audit_details(r), "missing_elements": r.missing_elements})


def submit_report(actor: Actor, report_id: int, version: int,
                  content: ReportContent | None = None) -> None:
    """Send the draft to the shift leader for 签发; gaps and changes are checked (第十九条).

    `content`: the edit form's text, saved first in the same transaction (one click on
    "提交签发" saves and submits; if the checks refuse, nothing is saved).
    """
    with transaction() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "report.draft", inc.unit_id)
        check_version(r, version)
        _status(r, ("draft", "returned"), "提交签发")
        not_closed(inc, "提交报告")
        if content is not None:
            _apply_content(r, content, inc)
        r.unverified = r.unverified or inc.state == "received"
        r.missing_elements = missing_elements(_values(r))
        r.changed_elements = _changed(inc, r)
        problems = _gaps_problems(inc, r)
        if problems:
            raise ValidationError(problems)
        r.status = "submitted"
        r.submitted_by_id, r.submitted_at = actor.user_id, clock.now()
        s.flush()
        add_event(s, inc, actor, "report_submitted",
                  details={"report_id": r.id, "title": report_label(r),
                           "missing_elements": r.missing_elements,
                           "changed_elements": r.changed_elements})
        audit.record(s, actor, "report.submit", "report", r.id, details=_audit_details(r))


def sign_off_report(actor: Actor, report_id: int, version: int, comment: str = "") -> None:
    """签发: a shift leader approves the report for sending (第七条)."""
    with transaction() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "report.sign_off", inc.unit_id)
        check_version(r, version)
        _status(r, ("submitted",), "签发")
        r.status = "approved"
        r.signed_off_by_id, r.signed_off_at = actor.user_id, clock.now()
        s.flush()
        add_event(s, inc, actor, "report_signed_off", note=text_of(comment),
                  details={"report_id": r.id, "title": report_label(r)})
        audit.record(s, actor, "report.sign_off", "report", r.id, details=_audit_details(r))


def return_report(actor: Actor, report_id: int, version: int, comment: str) -> None:
    """A shift leader returns the report with a comment; the drafter edits and resubmits."""
    with transaction() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "report.sign_off", inc.unit_id)
        check_version(r, version)
        _status(r, ("submitted",), "退回")
        if not text_of(comment):
            raise DomainError("退回意见：请写明需要修改的内容", field="comment")
        r.status = "returned"
        r.returned_by_id, r.returned_at, r.return_comment = actor.user_id, clock.now(), text_of(comment)
        s.flush()
        add_event(s, inc, actor, "report_returned", note=r.return_comment,
                  details={"report_id": r.id, "title": report_label(r)})
        audit.record(s, actor, "report.return", "report", r.id, details=_audit_details(r))


# ---------------------------------------------------------------- sending

def _trigger_for(state: str, kind: str) -> str | None:
    """The machine step a report sent now makes (第十八、十九条), None when it makes none."""
    if state == "received":
        return "report_while_verifying"
    if state == "verifying":
        return "report"
    if state in ("reported", "follow_up"):
        return "add_follow_up" if kind == "follow_up" else None
    return "add_follow_up" if kind == "follow_up" else "report"  # closed: the machine refuses


def _sent_at(value, now: datetime, not_before: datetime | None, what: str) -> datetime:
    sent_at = aware(value, "报送时间") or now
    if sent_at > now:
        raise DomainError("报送时间：不能晚于当前时间", field="sent_at")
    if not_before is not None and sent_at < not_before:
        raise DomainError(f"报送时间：不能早于{what}", field="sent_at")
    return sent_at


def _deliver(s, actor: Actor, inc: Incident, r: Report, channel: str, recipients: list[str],
             sent_at: datetime, delay_reason: str) -> SendResult:
    """Satisfy the clocks the report meets, move the machine, record it; inside a transaction."""
    flush_or_conflict(s)  # a new phone report gets its id; a duplicate fails here
    meets = SATISFIES[channel]
    satisfied = [d for d in inc.deadlines
                 if d.satisfied_at is None and d.kind in REPORT_DEADLINE_KINDS
                 and d.recipient in recipients and d.channel in meets]
    late = [d for d in satisfied if needs_reason(d, sent_at)]
    reason = text_of(delay_reason)
    if late and not reason:
        due = "；".join(f"{deadline_label(d)}应于 {clock.fmt(d.due_at, '%m-%d %H:%M')} 前报送"
                       for d in late)
        raise DomainError(f"已超过报送时限：{due}。请填写迟报原因（说明原因，第二十一条）",
                          field="delay_reason")
    before = inc.state
    trigger = _trigger_for(inc.state, r.kind)
    after = before
    if trigger is not None:
        before, after = fire_or_refuse(inc, trigger)
    if trigger == "report_while_verifying":
        r.unverified = True
    if r.unverified:
        inc.unverified = True
    r.status, r.channel, r.recipients, r.sent_at = "sent", channel, recipients, sent_at
    r.sent_by_id = actor.user_id
    r.delay_reason = reason or None
    for d in satisfied:
        d.satisfied_at, d.satisfied_by_report_id = sent_at, r.id
        if d in late:
            d.late_reason = reason
    touch(inc)
    owed = []
    if channel in QUICK_CHANNELS:
        owed = ensure_written_owed(inc, r, current_table(s))
    else:
        refresh_written_owed(inc)
    flush_or_conflict(s)
    result = SendResult(r.id, inc.state, [deadline_label(d) for d in satisfied],
                        [deadline_label(d) for d in late], owed)
    add_event(s, inc, actor, "phone_report" if r.by_phone else "report_sent",
              note=r.delay_reason or "", from_state=before, to_state=after,
              details={"report_id": r.id, "title": report_label(r), "trigger": trigger,
                       "channel": channel, "recipients": recipients, "sent_at": sent_at,
                       "satisfied": [d.id for d in satisfied], "late": [d.id for d in late],
                       "written_owed": owed, "unverified": r.unverified})
    return result


def _check_channel(channel: str, classification: str) -> None:
    if channel not in CHANNEL_LABELS:
        raise DomainError(f"报送渠道：请选择{'、'.join(CHANNEL_LABELS.values())}（第二十二条）",
                          field="channel")
    problem = channel_problem(channel, classification)
    if problem:
        raise DomainError(f"报送渠道：{problem}", field="channel")


def mark_sent(actor: Actor, report_id: int, version: int, channel: str,
              recipients: list[str] | None = None, sent_at=None, delay_reason: str = "") -> SendResult:
    """Record that a signed-off report went out: channel, recipients (default: as drafted),
    time (default now). SMS is refused above 公开 (第十五条、第二十二条); a report sent after
    a clock it meets needs `delay_reason` (说明原因, 第二十一条)."""
    with transaction() as s:
        r = _load_report(s, report_id)
        inc = load_incident(s, r.incident_id, lock=True)
        require(actor, "report.send", inc.unit_id)
        check_version(r, version)
        if r.status in ("draft", "submitted", "returned"):
            raise DomainError("报告须经带班领导签发后才能报送（第七条）")
        _status(r, ("approved",), "报送")
        _check_channel(channel, r.classification)
        recipients = check_recipients(r.recipients if recipients is None else recipients)
        if not recipients:
            raise DomainError("报送对象：请至少选择一个（第二十一条）", field="recipients")
        sent_at = _sent_at(sent_at, clock.now(), r.signed_off_at, "签发时间")
        result = _deliver(s, actor, inc, r, channel, recipients, sent_at, delay_reason)
        audit.record(s, actor, "report.send", "report", r.id,
                     details={**_audit_details(r), "channel": channel, "recipients": recipients,
                              "late": result.late, "delay_reason": r.delay_reason})
        return result


def record_phone_report(actor: Actor, incident_id: int, incident_version: int,
                        phone: PhoneReportInput) -> SendResult:
    """登记电话报告: a call already made (紧急情况下先电话口头报告, 第二十二条).

    No 签发 for a call; it meets the phone clocks of its recipients and leaves a written
    report owed to each of them.
    """
    with transaction() as s:
        inc = load_incident(s, incident_id, lock=True)
        require(actor, "report.send", inc.unit_id)
        check_version(inc, incident_version)
        recipients = check_recipients(phone.recipients)
        if not recipients:
            raise DomainError("报送对象：请至少选择一个（第二十一条）", field="recipients")
        if not text_of(phone.summary):
            raise DomainError("报告内容：请简要记录电话报告的内容（第十九条）", field="summary")
        anything_sent = any(x.sent_at is not None for x in inc.reports)
        kind = phone.kind or ("follow_up" if anything_sent else "initial")
        if kind not in ("initial", "follow_up"):
            raise DomainError("电话报告只能是首报或续报；终报须书面报送（第十九、二十二条）", field="kind")
        if kind == "follow_up" and not anything_sent:
            raise DomainError("尚未报告过，不能续报；请先报告（首报）（第十九条）", field="kind")
        now = clock.now()
        sent_at = _sent_at(phone.sent_at, now, inc.received_at, "接报时间")
        r = Report(kind=kind, by_phone=True, status="sent", drafted_by_id=actor.user_id,
                   drafted_at=now, written_owed=False, classification=inc.classification,
                   elements={"situation": text_of(phone.summary)}, recipients=recipients,
                   number=1 + sum(1 for x in inc.reports if x.by_phone),
                   unverified=bool(phone.unverified) or inc.state == "received")
        r.missing_elements = []
        inc.reports.append(r)
        result = _deliver(s, actor, inc, r, "phone", recipients, sent_at, phone.delay_reason)
        audit.record(s, actor, "report.phone", "report", r.id,
                     details={**_audit_details(r), "recipients": recipients,
                              "late": result.late, "delay_reason": r.delay_reason})
        return result


# ---------------------------------------------------------------- the written document

def report_docx(actor: Actor, report_id: int) -> bytes:
    """The written report as .docx in official layout (documents.official); the export is audited."""
    from documents.official import render_incident_report  # late: python-docx loads only here

    with reading() as s:
        r = _load_report(s, report_id)
        inc = r.incident
        require(actor, "incident.read", inc.unit_id)
        if r.by_phone:
            raise DomainError("电话报告没有书面文稿；请起草书面报告（第二十二条）")
        names = user_names(s, [r.signed_off_by_id])
        unit = s.get(Unit, inc.unit_id)
        data = _document_data(inc, r, unit.name if unit else "", names)
    with transaction() as s:
        audit.record(s, actor, "report.export", "report", report_id,
                     details={"incident_id": data["incident_id"], "format": "docx"})
    return render_incident_report(data)


def _consequences_text(r: Report) -> str:
    labels = dict(CONSEQUENCE_FIELDS)
    parts = [f"{labels[k]} {getattr(r, k)} 人" for k in ("deaths", "injuries", "missing")
             if getattr(r, k) is not None]
    if r.losses:
        parts.append(f"{labels['losses']} {r.losses}")
    words = (r.elements or {}).get("consequences", "")
    return "；".join(parts + ([words] if words else []))


def _document_data(inc: Incident, r: Report, unit_name: str, names: dict[int, str]) -> dict:
    kind_label = report_label(r)
    elements = []
    for code, label in ELEMENTS:
        text = _consequences_text(r) if code == "consequences" else (r.elements or {}).get(code, "")
        elements.append((label, text))
    return {
        "incident_id": inc.id,
        "unit_name": unit_name,
        "title": f"关于{inc.title}的{kind_label}",
        "kind_label": kind_label,
        "report_no": "",
        "signer": names.get(r.signed_off_by_id, ""),
        "classification": CLASSIFICATION_LABELS.get(r.classification, ""),
        "urgency": URGENCY_LABELS.get(r.urgency, ""),
        "recipients": [RECIPIENT_LABELS.get(x, x) for x in r.recipients or []],
        "sent_at": clock.fmt(r.sent_at or r.signed_off_at or r.drafted_at, "%Y年%m月%d日")
        .replace("年0", "年").replace("月0", "月"),
        "unverified": r.unverified,
        "elements": elements,
        "changes_since_last": r.changes_since_last or "",
        "delay_reason": r.delay_reason or "",
    }

