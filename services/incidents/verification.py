"""Verification requests (核报) from the district duty office (第二十条、第二十一条).

Logged with the time of the request, its content and whether written material is asked
for; linked to an existing incident or opening a new one. Its clocks (phone ≤ 15 minutes,
written ≤ 1 hour when asked) are stored beside the incidents' so the desk shows them too.
An answer after its clock needs a reason (说明原因, 第二十条).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models.incident import DeadlineRecord, Incident, VerificationRequest
from rules.deadlines import VERIFICATION_ARTICLE, verification_deadlines
from services import audit, clock, shifts
from services.errors import DomainError, NotFound, ValidationError
from services.incidents.common import (
    SATISFIES, add_event, aware, check_version, current_table, deadline_label, load_incident,
    needs_reason, text_of,
)
from services.incidents.intake import IntakeInput, create_incident
from services.incidents.rows import VerificationRow, verification_row
from services.permissions import Actor, require, scoped_unit
from services.uow import reading, transaction

DISTRICT_DUTY_OFFICE = "区政府办公室总值班室"
ANSWER_LABELS = {"phone": "电话反馈", "written": "书面反馈"}


@dataclass
class VerificationInput:
    content: str
    requested_at: object = None          # datetime; None = now; naive = Beijing time
    requester: str = DISTRICT_DUTY_OFFICE
    written_required: bool = False
    unit_id: int | None = None           # the desk asked; None = the linked incident's or the actor's
    incident_id: int | None = None       # link to an incident already open …
    new_incident: IntakeInput | None = None  # … or open one from this request


def log_verification_request(actor: Actor, form: VerificationInput) -> int:
    """登记核报: the request, its clocks (第二十一条) and its link to an incident."""
    with transaction() as s:
        return create_verification_request(s, actor, form).id


def create_verification_request(s, actor: Actor, form: VerificationInput) -> VerificationRequest:
    """Inside the caller's transaction (a call opening a 核报 uses it too): the request,
    its clocks, its incident's timeline event and the audit event."""
    if form.incident_id is not None and form.new_incident is not None:
        raise DomainError("关联事件：请选择已有事件或新建事件，二者取其一")
    inc: Incident | None = None
    if form.incident_id is not None:
        inc = load_incident(s, form.incident_id)
        unit_id = inc.unit_id
    else:
        unit_id = form.unit_id if form.unit_id is not None else actor.unit_id
    require(actor, "verification.manage", unit_id)
    now = clock.now()
    requested_at = aware(form.requested_at, "核报要求时间") or now
    problems = []
    if requested_at > now:
        problems.append("核报要求时间：不能晚于当前时间")
    if not text_of(form.content):
        problems.append("核报内容：不能为空（第二十条）")
    if unit_id is None:
        problems.append("所属单位：请选择接收核报的值班单位")
    if problems:
        raise ValidationError(problems)
    if form.new_incident is not None:
        if form.new_incident.unit_id is None:
            form.new_incident.unit_id = unit_id
        inc = create_incident(s, actor, form.new_incident)
        unit_id = inc.unit_id
    v = VerificationRequest(unit_id=unit_id, incident_id=inc.id if inc else None,
                            requested_at=requested_at, requester=text_of(form.requester)[:100],
                            content=text_of(form.content),
                            written_required=bool(form.written_required),
                            logged_by_id=actor.user_id, logged_at=now, state="open")
    for d in verification_deadlines(requested_at, v.written_required, current_table(s)):
        v.deadlines.append(DeadlineRecord(
            unit_id=unit_id, incident_id=v.incident_id, kind="verification",
            recipient=d.recipient, channel=d.channel, starts_at=d.starts_at, due_at=d.due_at,
            latest_at=d.latest_at, article=d.article, created_at=now))
    s.add(v)
    s.flush()
    if inc is not None:
        add_event(s, inc, actor, "verification_logged", note=v.content,
                  details={"verification_request_id": v.id,
                           "written_required": v.written_required})
    audit.record(s, actor, "verification.log", "verification_request", v.id,
                 details={"incident_id": v.incident_id, "written_required": v.written_required})
    return v


def _load(s, request_id: int) -> VerificationRequest:
    v = s.get(VerificationRequest, request_id)
    if v is None:
        raise NotFound("核报记录不存在")
    return v


def link_verification_request(actor: Actor, request_id: int, version: int, incident_id: int) -> None:
    """Link a logged request to an incident (its clocks follow)."""
    with transaction() as s:
        v = _load(s, request_id)
        require(actor, "verification.manage", v.unit_id)
        check_version(v, version)
        inc = load_incident(s, incident_id)
        require(actor, "incident.update", inc.unit_id)
        if v.incident_id is not None:
            raise DomainError("该核报已关联事件")
        v.incident_id = inc.id
        for d in v.deadlines:
            d.incident_id = inc.id
        s.flush()
        add_event(s, inc, actor, "verification_linked", note=v.content,
                  details={"verification_request_id": v.id})
        audit.record(s, actor, "verification.link", "verification_request", v.id,
                     details={"incident_id": inc.id})


def answer_verification(actor: Actor, request_id: int, version: int, channel: str, answer: str,
                        answered_at=None, late_reason: str = "") -> None:
    """Record a phone or written answer; after its clock a reason is required (第二十条).

    A written answer also meets the phone clock if that is still open.
    """
    with transaction() as s:
        v = _load(s, request_id)
        require(actor, "verification.manage", v.unit_id)
        check_version(v, version)
        if channel not in ANSWER_LABELS:
            raise DomainError("反馈方式：请选择电话反馈或书面反馈", field="channel")
        if getattr(v, f"{channel}_answered_at") is not None:
            raise DomainError(f"该核报已{ANSWER_LABELS[channel]}")
        if not text_of(answer):
            raise DomainError("反馈内容：不能为空（第二十条）", field="answer")
        now = clock.now()
        at = aware(answered_at, "反馈时间") or now
        if at > now:
            raise DomainError("反馈时间：不能晚于当前时间", field="answered_at")
        if at < v.requested_at:
            raise DomainError("反馈时间：不能早于核报要求时间", field="answered_at")
        meets = [d for d in v.deadlines if d.satisfied_at is None and d.channel in SATISFIES[channel]]
        late = [d for d in meets if needs_reason(d, at)]
        reason = text_of(late_reason)
        if late and not reason:
            due = "；".join(f"{deadline_label(d)}应于 {clock.fmt(d.due_at, '%m-%d %H:%M')} 前反馈"
                           for d in late)
            raise DomainError(f"核报反馈已超过规定时限：{due}。确实无法按时核准的，须说明原因"
                              f"（{VERIFICATION_ARTICLE}）", field="late_reason")
        setattr(v, f"{channel}_answered_at", at)
        setattr(v, f"{channel}_answered_by_id", actor.user_id)
        setattr(v, f"{channel}_answer", text_of(answer))
        for d in meets:
            d.satisfied_at = at
            if d in late:
                d.late_reason = reason
        if late:
            v.late_reason = "；".join(x for x in (v.late_reason, reason) if x)
        if all(d.satisfied_at is not None for d in v.deadlines):
            v.state = "answered"
        s.flush()
        if v.incident is not None:
            add_event(s, v.incident, actor, "verification_answered", note=text_of(answer),
                      details={"verification_request_id": v.id, "channel": channel,
                               "answered_at": at, "late": [d.id for d in late],
                               "late_reason": reason})
        shifts.record_item_action(s, "verification_request", v.id, at)  # 第十四条 follow-up
        audit.record(s, actor, "verification.answer", "verification_request", v.id,
                     details={"channel": channel, "late": bool(late), "late_reason": reason})


def list_verification_requests(actor: Actor, open_only: bool = True) -> list[VerificationRow]:
    """Verification requests of the actor's scope, oldest request first."""
    with reading() as s:
        unit = scoped_unit(actor, "verification.manage")
        q = (select(VerificationRequest, Incident.title)
             .outerjoin(Incident, Incident.id == VerificationRequest.incident_id)
             .options(selectinload(VerificationRequest.deadlines))
             .order_by(VerificationRequest.requested_at, VerificationRequest.id))
        if open_only:
            q = q.where(VerificationRequest.state == "open")
        if unit is not None:
            q = q.where(VerificationRequest.unit_id == unit)
        now = clock.now()
        return [verification_row(v, title or "", now) for v, title in s.execute(q).all()]
