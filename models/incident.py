"""Incidents (突发事件): intake, timeline, reports, deadlines, verification requests.

第十二条 first-contact owner and recorded transfers; 第十三条 the timeline in time order;
第十八、十九条 reports and their elements; 第二十条 verification requests (核报);
第二十一条 deadlines, stored so the desk lists open ones with one indexed query;
第二十二条 channels and the written report a phone report leaves owed.

Codes (categories, levels, recipients, channels, classifications) are the ones of
rules/deadlines.py and rules/report_elements.py; Chinese appears only in their labels.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text,
    UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Versioned

SOURCE_KINDS = ("unit", "person", "phone")
REPORT_STATUSES = ("draft", "submitted", "approved", "returned", "sent")
CLOSURE_STATUSES = ("requested", "approved", "returned")
DEADLINE_KINDS = ("report", "written_owed", "verification")
VERIFICATION_STATES = ("open", "answered")

_OPEN = text("satisfied_at IS NULL")


class Incident(Versioned, Base):
    """One incident, owned by the desk of `unit_id` and followed by `owner_user_id` (第十二条).

    `state` is the state of workflows/incident.py's machine; it changes only through
    `workflows.incident.fire`, and every change is an IncidentEvent.
    """

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str] = mapped_column(String(20))
    source_text: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(30))
    level: Mapped[str | None] = mapped_column(String(4))
    sensitive_time: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitive_place: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitive_nature: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    classification: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    # Reported before verification was complete (边核实、边报告, 第十八条).
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    # Closure: the owner asks, a shift leader approves or returns it (第七条、第十九条).
    closure_status: Mapped[str | None] = mapped_column(String(20))
    closure_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closure_requested_at: Mapped[datetime | None]
    closure_note: Mapped[str | None] = mapped_column(Text)
    closure_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closure_decided_at: Mapped[datetime | None]
    closure_comment: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]

    intakes: Mapped[list[IncidentIntake]] = relationship(
        back_populates="incident", order_by="IncidentIntake.received_at")
    events: Mapped[list[IncidentEvent]] = relationship(
        back_populates="incident", order_by="(IncidentEvent.at, IncidentEvent.id)")
    reports: Mapped[list[Report]] = relationship(back_populates="incident", order_by="Report.id")
    deadlines: Mapped[list[DeadlineRecord]] = relationship(
        back_populates="incident", order_by="(DeadlineRecord.due_at, DeadlineRecord.id)")
    transfers: Mapped[list[OwnershipTransfer]] = relationship(
        back_populates="incident", order_by="OwnershipTransfer.id")
    verification_requests: Mapped[list[VerificationRequest]] = relationship(
        back_populates="incident", order_by="VerificationRequest.requested_at")

    __table_args__ = (
        Index("ix_incident_unit_state", "unit_id", "state"),
        Index("ix_incident_owner_state", "owner_user_id", "state"),
        Index("ix_incident_closure_status", "closure_status"),
        Index("ix_incident_occurred_at", "occurred_at", "category", "level"),  # statistics (0006)
        # Statistics: incidents of one category and level in a period, counted in the index (0011).
        Index("ix_incident_category_level_at", "category", "level", "occurred_at"),
    )

    @property
    def sensitive(self) -> bool:
        return bool(self.sensitive_time or self.sensitive_place or self.sensitive_nature)


class IncidentIntake(Base):
    """One call or message about the incident (接报); several may describe the same event.

    The calls feature links its call records by adding its own key here in its migration.
    """

    __tablename__ = "incident_intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    caller: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[str] = mapped_column(String(50), default="")
    received_at: Mapped[datetime]
    summary: Mapped[str] = mapped_column(Text, default="")
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    incident: Mapped[Incident] = relationship(back_populates="intakes")


class OwnershipTransfer(Versioned, Base):
    """A handover of first-contact responsibility (第十二条); it moves only when accepted."""

    __tablename__ = "ownership_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]

    incident: Mapped[Incident] = relationship(back_populates="transfers")

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.cancelled_at is None


class IncidentEvent(Base):
    """The timeline (第十三条): append-only, refused UPDATE and DELETE by trigger."""

    __tablename__ = "incident_event"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    at: Mapped[datetime]
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events")

    __table_args__ = (Index("ix_incident_event_incident_at", "incident_id", "at"),
                      Index("ix_incident_event_at", "at"))  # the log book of a shift (0006)


class Report(Versioned, Base):
    """One report (首报 / 续报N / 终报): a snapshot of the eleven elements (第十九条).

    Written reports go draft → submitted → approved (签发 by a shift leader) → sent, or
    back as returned. A phone report (`by_phone`) is recorded once the call is made and
    leaves a written report owed (第二十二条). (incident_id, kind, number, by_phone) is
    unique: two officers saving the same report at once can never store it twice.
    `number` counts follow-ups from 1 (0 for initial and final); phone reports number
    their own calls 1, 2, ….
    """

    __tablename__ = "incident_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer, default=0)
    by_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ten text elements by code (rules.report_elements.ELEMENTS), "consequences" holding
    # any words beyond the four figures below.
    elements: Mapped[dict] = mapped_column(JSON, default=dict)
    deaths: Mapped[int | None] = mapped_column(Integer)
    injuries: Mapped[int | None] = mapped_column(Integer)
    missing: Mapped[int | None] = mapped_column(Integer)
    losses: Mapped[str | None] = mapped_column(String(200))
    missing_elements: Mapped[list] = mapped_column(JSON, default=list)
    changed_elements: Mapped[list] = mapped_column(JSON, default=list)
    changes_since_last: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str | None] = mapped_column(String(20))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    classification: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str | None] = mapped_column(String(20))
    unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20))
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    drafted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted_at: Mapped[datetime | None]
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    returned_at: Mapped[datetime | None]
    return_comment: Mapped[str | None] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    sent_at: Mapped[datetime | None]
    delay_reason: Mapped[str | None] = mapped_column(Text)
    written_owed: Mapped[bool] = mapped_column(Boolean, default=False)

    incident: Mapped[Incident] = relationship(back_populates="reports")

    __table_args__ = (
        UniqueConstraint("incident_id", "kind", "number", "by_phone"),
        Index("ix_incident_report_status", "status"),
    )


class DeadlineRecord(Base):
    """One clock: a report owed to one recipient by one channel, or an answer owed.

    Computed by rules/deadlines.py and stored. `kind`: report (第二十一条), written_owed
    (after a phone report, 第二十二条) or verification (核报, 第二十条). Open while
    `satisfied_at` is empty; a late one keeps its reason (说明原因, 第二十一条).
    `unit_id` repeats the owning desk so the desk lists its open clocks with one index.
    """

    __tablename__ = "deadline_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    verification_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("verification_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    latest_at: Mapped[datetime]
    article: Mapped[str] = mapped_column(String(40))
    opened_by_report_id: Mapped[int | None] = mapped_column(ForeignKey("incident_report.id"))
    satisfied_by_report_id: Mapped[int | None] = mapped_column(ForeignKey("incident_report.id"))
    satisfied_at: Mapped[datetime | None]
    late_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    incident: Mapped[Incident | None] = relationship(back_populates="deadlines")
    verification_request: Mapped[VerificationRequest | None] = relationship(
        back_populates="deadlines")

    __table_args__ = (
        CheckConstraint("incident_id IS NOT NULL OR verification_request_id IS NOT NULL",
                        name="owner"),
        # The desk: open clocks, soonest first, for all units or for one.
        Index("ix_deadline_record_due", "due_at", "kind", "satisfied_at"),  # statistics (0006)
        # Statistics: one kind's clocks due in a period, in order of kind (0011).
        Index("ix_deadline_record_kind_due", "kind", "due_at", "satisfied_at"),
        Index("ix_deadline_record_open_due", "due_at",
              sqlite_where=_OPEN, postgresql_where=_OPEN),
        Index("ix_deadline_record_open_unit_due", "unit_id", "due_at",
              sqlite_where=_OPEN, postgresql_where=_OPEN),
    )

    @property
    def open(self) -> bool:
        return self.satisfied_at is None


class VerificationRequest(Versioned, Base):
    """A verification request (核报) from the district duty office (第二十条、第二十一条)."""

    __tablename__ = "verification_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    requested_at: Mapped[datetime]
    requester: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text)
    written_required: Mapped[bool] = mapped_column(Boolean, default=False)
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    logged_at: Mapped[datetime]
    phone_answered_at: Mapped[datetime | None]
    phone_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    phone_answer: Mapped[str | None] = mapped_column(Text)
    written_answered_at: Mapped[datetime | None]
    written_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    written_answer: Mapped[str | None] = mapped_column(Text)
    late_reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))

    incident: Mapped[Incident | None] = relationship(back_populates="verification_requests")
    deadlines: Mapped[list[DeadlineRecord]] = relationship(
        back_populates="verification_request", order_by="DeadlineRecord.due_at")

    __table_args__ = (Index("ix_verification_request_unit_state", "unit_id", "state"),
                      # a shift's log book: the requests logged in its window (0014)
                      Index("ix_verification_request_unit_logged", "unit_id", "logged_at"))


class DeadlineTableSetting(Versioned, Base):
    """The office's deadline table (第二十一条): one row, only ever tighter than the default.

    No row means rules.deadlines.DEFAULT_TABLE.
    """

    __tablename__ = "deadline_table_setting"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    district_written_minutes: Mapped[int] = mapped_column(Integer)
    major_phone_minutes: Mapped[int] = mapped_column(Integer)
    major_phone_latest_minutes: Mapped[int] = mapped_column(Integer)
    verification_phone_minutes: Mapped[int] = mapped_column(Integer)
    verification_written_minutes: Mapped[int] = mapped_column(Integer)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime]
