"""Plain rows the pages show: built from ORM objects inside a session, safe after it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from models.incident import (
    DeadlineRecord, Incident, IncidentEvent, IncidentIntake, OwnershipTransfer, Report,
    VerificationRequest,
)
from rules.deadlines import (
    CATEGORY_LABELS, LEVEL_LABELS, RECIPIENT_LABELS, STATUS_LABELS, deadline_status,
)
from rules.deadlines import CHANNEL_LABELS as DEADLINE_CHANNEL_LABELS
from rules.report_elements import (
    CHANNEL_LABELS, CLASSIFICATION_LABELS, ELEMENTS, REPORT_KINDS, allowed_channels, report_title,
)
from services.incidents.common import (
    CLOSURE_STATUS_LABELS, DEADLINE_KIND_LABELS, EVENT_LABELS, REPORT_STATUS_LABELS,
    SOURCE_KIND_LABELS, TRANSFER_STATUS_LABELS, URGENCY_LABELS, VERIFICATION_STATE_LABELS,
    as_deadline,
)
from workflows.incident import STATE_LABELS, TRIGGER_LABELS, allowed_triggers

STATUS_RANK = {"red": 0, "amber": 1, "normal": 2, "done": 3}


@dataclass(frozen=True)
class IncidentRow:
    id: int
    unit_id: int
    unit_name: str
    title: str
    occurred_at: datetime
    received_at: datetime
    place: str
    source_kind: str
    source_kind_label: str
    source_text: str
    category: str
    category_label: str
    level: str | None
    level_label: str
    sensitive_time: bool
    sensitive_place: bool
    sensitive_nature: bool
    description: str
    classification: str
    classification_label: str
    state: str
    state_label: str
    unverified: bool
    owner_user_id: int
    owner_name: str
    closure_status: str | None
    closure_status_label: str
    closure_note: str
    closure_comment: str
    closed_at: datetime | None
    version: int
    open_deadlines: int = 0
    next_due_at: datetime | None = None

    @property
    def sensitive(self) -> bool:
        return self.sensitive_time or self.sensitive_place or self.sensitive_nature


def incident_row(inc: Incident, unit_name: str, names: dict[int, str], open_deadlines: int = 0,
                 next_due_at: datetime | None = None) -> IncidentRow:
    return IncidentRow(
        id=inc.id, unit_id=inc.unit_id, unit_name=unit_name, title=inc.title,
        occurred_at=inc.occurred_at, received_at=inc.received_at, place=inc.place,
        source_kind=inc.source_kind, source_kind_label=SOURCE_KIND_LABELS.get(inc.source_kind, ""),
        source_text=inc.source_text, category=inc.category,
        category_label=CATEGORY_LABELS.get(inc.category, ""), level=inc.level,
        level_label=LEVEL_LABELS.get(inc.level, ""), sensitive_time=inc.sensitive_time,
        sensitive_place=inc.sensitive_place, sensitive_nature=inc.sensitive_nature,
        description=inc.description, classification=inc.classification,
        classification_label=CLASSIFICATION_LABELS.get(inc.classification, ""),
        state=inc.state, state_label=STATE_LABELS[inc.state], unverified=inc.unverified,
        owner_user_id=inc.owner_user_id, owner_name=names.get(inc.owner_user_id, ""),
        closure_status=inc.closure_status,
        closure_status_label=CLOSURE_STATUS_LABELS.get(inc.closure_status, ""),
        closure_note=inc.closure_note or "", closure_comment=inc.closure_comment or "",
        closed_at=inc.closed_at, version=inc.version, open_deadlines=open_deadlines,
        next_due_at=next_due_at)


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    actor_name: str
    kind: str
    kind_label: str
    from_state: str | None
    to_state: str | None
    from_label: str
    to_label: str
    note: str
    details: dict


def event_row(ev: IncidentEvent) -> EventRow:
    return EventRow(ev.id, ev.at, ev.actor_name, ev.kind, EVENT_LABELS.get(ev.kind, ev.kind),
                    ev.from_state, ev.to_state, STATE_LABELS.get(ev.from_state, ""),
                    STATE_LABELS.get(ev.to_state, ""), ev.note, dict(ev.details or {}))


@dataclass(frozen=True)
class ReportRow:
    id: int
    incident_id: int
    incident_title: str
    kind: str
    kind_label: str
    number: int
    by_phone: bool
    title: str
    elements: dict            # code → text, the eleven of 第十九条 ("consequences": words)
    deaths: int | None
    injuries: int | None
    missing: int | None
    losses: str
    missing_elements: list    # labels of the gaps when last saved (第十九条)
    changed_elements: list    # labels changed since the previous report (续报)
    changes_since_last: str
    channel: str | None
    channel_label: str
    recipients: list
    recipient_labels: list
    classification: str
    classification_label: str
    allowed_channels: list    # 第十五条、第二十二条: no SMS above 公开
    urgency: str | None
    urgency_label: str
    unverified: bool
    status: str
    status_label: str
    drafted_by_name: str
    drafted_at: datetime
    submitted_at: datetime | None
    signed_off_by_name: str
    signed_off_at: datetime | None
    returned_by_name: str
    return_comment: str
    sent_by_name: str
    sent_at: datetime | None
    delay_reason: str
    written_owed: bool
    version: int


def report_label(report: Report) -> str:
    if report.by_phone:
        return f"电话报告（{REPORT_KINDS[report.kind]}）"
    return report_title(report.kind, report.number if report.kind == "follow_up" else None)


def report_row(r: Report, incident_title: str, names: dict[int, str]) -> ReportRow:
    return ReportRow(
        id=r.id, incident_id=r.incident_id, incident_title=incident_title, kind=r.kind,
        kind_label=REPORT_KINDS[r.kind], number=r.number, by_phone=r.by_phone,
        title=report_label(r), elements={code: (r.elements or {}).get(code, "") for code, _ in ELEMENTS},
        deaths=r.deaths, injuries=r.injuries, missing=r.missing, losses=r.losses or "",
        missing_elements=list(r.missing_elements or []),
        changed_elements=list(r.changed_elements or []),
        changes_since_last=r.changes_since_last or "", channel=r.channel,
        channel_label=CHANNEL_LABELS.get(r.channel, ""), recipients=list(r.recipients or []),
        recipient_labels=[RECIPIENT_LABELS.get(x, x) for x in r.recipients or []],
        classification=r.classification,
        classification_label=CLASSIFICATION_LABELS.get(r.classification, ""),
        allowed_channels=allowed_channels(r.classification), urgency=r.urgency,
        urgency_label=URGENCY_LABELS.get(r.urgency, ""), unverified=r.unverified,
        status=r.status, status_label=REPORT_STATUS_LABELS[r.status],
        drafted_by_name=names.get(r.drafted_by_id, ""), drafted_at=r.drafted_at,
        submitted_at=r.submitted_at, signed_off_by_name=names.get(r.signed_off_by_id, ""),
        signed_off_at=r.signed_off_at, returned_by_name=names.get(r.returned_by_id, ""),
        return_comment=r.return_comment or "", sent_by_name=names.get(r.sent_by_id, ""),
        sent_at=r.sent_at, delay_reason=r.delay_reason or "", written_owed=r.written_owed,
        version=r.version)


def report_user_ids(r: Report) -> list[int | None]:
    return [r.drafted_by_id, r.signed_off_by_id, r.returned_by_id, r.sent_by_id]


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    kind: str
    kind_label: str
    recipient: str
    recipient_label: str
    channel: str
    channel_label: str
    label: str
    starts_at: datetime | None
    due_at: datetime
    latest_at: datetime
    article: str
    status: str               # done / normal / amber / red (rules.deadlines.deadline_status)
    status_label: str
    satisfied_at: datetime | None
    satisfied_by_report_id: int | None
    late_reason: str
    verification_request_id: int | None


def deadline_row(d: DeadlineRecord, now: datetime) -> DeadlineRow:
    deadline = as_deadline(d)
    status = deadline_status(deadline, now, d.satisfied_at)
    return DeadlineRow(
        id=d.id, kind=d.kind, kind_label=DEADLINE_KIND_LABELS[d.kind], recipient=d.recipient,
        recipient_label=RECIPIENT_LABELS.get(d.recipient, d.recipient), channel=d.channel,
        channel_label=DEADLINE_CHANNEL_LABELS.get(d.channel, d.channel), label=deadline.label,
        starts_at=d.starts_at, due_at=d.due_at, latest_at=d.latest_at, article=d.article,
        status=status, status_label=STATUS_LABELS[status], satisfied_at=d.satisfied_at,
        satisfied_by_report_id=d.satisfied_by_report_id, late_reason=d.late_reason or "",
        verification_request_id=d.verification_request_id)


@dataclass(frozen=True)
class IntakeRow:
    id: int
    caller: str
    number: str
    received_at: datetime
    summary: str
    taken_by_name: str


def intake_row(i: IncidentIntake, names: dict[int, str]) -> IntakeRow:
    return IntakeRow(i.id, i.caller, i.number, i.received_at, i.summary, names.get(i.taken_by_id, ""))


@dataclass(frozen=True)
class TransferRow:
    id: int
    incident_id: int
    incident_title: str
    from_user_id: int
    from_name: str
    to_user_id: int
    to_name: str
    requested_by_name: str
    requested_at: datetime
    reason: str
    status: str
    status_label: str
    accepted_at: datetime | None
    declined_at: datetime | None
    decline_reason: str
    version: int


def transfer_status(t: OwnershipTransfer) -> str:
    if t.accepted_at:
        return "accepted"
    if t.declined_at:
        return "declined"
    if t.cancelled_at:
        return "cancelled"
    return "pending"


def transfer_row(t: OwnershipTransfer, incident_title: str, names: dict[int, str]) -> TransferRow:
    status = transfer_status(t)
    return TransferRow(t.id, t.incident_id, incident_title, t.from_user_id,
                       names.get(t.from_user_id, ""), t.to_user_id, names.get(t.to_user_id, ""),
                       names.get(t.requested_by_id, ""), t.requested_at, t.reason, status,
                       TRANSFER_STATUS_LABELS[status], t.accepted_at, t.declined_at,
                       t.decline_reason or "", t.version)


@dataclass(frozen=True)
class VerificationRow:
    id: int
    unit_id: int
    incident_id: int | None
    incident_title: str
    requested_at: datetime
    requester: str
    content: str
    written_required: bool
    phone_answered_at: datetime | None
    phone_answer: str
    written_answered_at: datetime | None
    written_answer: str
    late_reason: str
    state: str
    state_label: str
    deadlines: list[DeadlineRow]
    version: int


def verification_row(v: VerificationRequest, incident_title: str, now: datetime) -> VerificationRow:
    return VerificationRow(
        v.id, v.unit_id, v.incident_id, incident_title, v.requested_at, v.requester, v.content,
        v.written_required, v.phone_answered_at, v.phone_answer or "", v.written_answered_at,
        v.written_answer or "", v.late_reason or "", v.state, VERIFICATION_STATE_LABELS[v.state],
        [deadline_row(d, now) for d in v.deadlines], v.version)


@dataclass(frozen=True)
class IncidentDetail:
    incident: IncidentRow
    timeline: list[EventRow]          # 第十三条: in time order
    reports: list[ReportRow]
    deadlines: list[DeadlineRow]      # most urgent first, done ones last
    intakes: list[IntakeRow]
    transfers: list[TransferRow]
    verification_requests: list[VerificationRow]
    pending_transfer: TransferRow | None
    # What the page may offer: machine triggers from this state (no guards evaluated),
    # the next written report to draft, and the recipients of the clocks still open.
    triggers: list[tuple[str, str]] = field(default_factory=list)
    next_report_kind: str | None = None
    suggested_recipients: list[str] = field(default_factory=list)
    final_sent: bool = False


def trigger_choices(state: str) -> list[tuple[str, str]]:
    return [(t, TRIGGER_LABELS[t]) for t in allowed_triggers(state)]
