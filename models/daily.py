"""The daily record (第五、八、十一、十二、十三条): calls, leader instructions, mayor-hotline
items and the duty log book.

- call / call_transfer: a call record (来电, 第十一条) owned by whoever took it (首接负责,
  第十二条); ownership moves only through an accepted transfer; closed with its result.
  A call may open an incident, a verification request (核报) or an instruction.
- instruction / instruction_target: a leader's instruction (领导批示, 第五条、第八条(三)),
  recorded verbatim, passed on to units or persons with a feedback due date each; its
  `state` belongs to workflows/instruction.py.
- hotline_item: a mayor-hotline item signed for on statutory holidays (第八条(六)); its
  `state` belongs to workflows/hotline.py.
- log_book / log_entry: one log book per shift (值班记录本, 第十三条). Entries are
  append-only (refused UPDATE and DELETE by trigger, like the audit trail) and hash-chained
  per book; a sealed book refuses any change by trigger, corrections are addenda.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Versioned

CALL_KINDS = ("information_report", "verification_request", "consultation", "complaint",
              "leader_instruction", "other")
CALL_IMPORTANCE = ("normal", "important", "urgent")
CALL_STATES = ("open", "closed")
INSTRUCTION_CHANNELS = ("phone", "written", "meeting", "sms", "system", "in_person")


class Call(Versioned, Base):
    """One call taken at a unit's duty desk, followed by `owner_user_id` (第十二条)."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime]
    caller: Mapped[str] = mapped_column(String(100), default="")
    caller_unit: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    importance: Mapped[str] = mapped_column(String(20), default="normal")
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    state: Mapped[str] = mapped_column(String(20), default="open")
    result: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    verification_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("verification_request.id"), index=True)
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instruction.id"), index=True)

    transfers: Mapped[list[CallTransfer]] = relationship(
        back_populates="call", order_by="CallTransfer.id")

    __table_args__ = (
        Index("ix_call_unit_at", "unit_id", "at"),
        Index("ix_call_owner_state", "owner_user_id", "state"),
        Index("ix_call_unit_state", "unit_id", "state"),
        Index("ix_call_at", "at"),  # statistics by period (0006)
    )


class CallTransfer(Versioned, Base):
    """Handing a call to another person (第十二条 由他人接替办理的，应当做好交接): the
    ownership moves only when the receiver accepts."""

    __tablename__ = "call_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    accepted_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="transfers")

    @property
    def pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.cancelled_at is None


class Instruction(Versioned, Base):
    """A leader's instruction (领导批示/指示), verbatim; `state` is workflows/instruction.py's."""

    __tablename__ = "instruction"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    leader_name: Mapped[str] = mapped_column(String(50), index=True)
    given_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(200), default="")
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime]
    result: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None]
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[datetime | None]

    targets: Mapped[list[InstructionTarget]] = relationship(
        back_populates="instruction", order_by="InstructionTarget.id", lazy="selectin")

    __table_args__ = (
        Index("ix_instruction_unit_state", "unit_id", "state"),
        Index("ix_instruction_given_at", "given_at"),
        Index("ix_instruction_reported_at", "reported_at"),   # a shift's log book (0010)
    )


class InstructionTarget(Versioned, Base):
    """One receiver of an instruction (a unit or a person) with its own feedback due date;
    overdue while `fed_back_at` is empty after `feedback_due` (督办, 第八条(三))."""

    __tablename__ = "instruction_target"

    id: Mapped[int] = mapped_column(primary_key=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("instruction.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    passed_on_at: Mapped[datetime]
    passed_on_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    feedback_due: Mapped[datetime]
    feedback_text: Mapped[str | None] = mapped_column(Text)
    fed_back_at: Mapped[datetime | None]
    fed_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    instruction: Mapped[Instruction] = relationship(back_populates="targets")

    __table_args__ = (
        CheckConstraint("(unit_id IS NULL) <> (person_id IS NULL)", name="one_receiver"),
        Index("ix_instruction_target_due", "feedback_due"),
        # a shift's log book: what was passed on and fed back in its window (0010)
        Index("ix_instruction_target_passed_on_at", "passed_on_at"),
        Index("ix_instruction_target_fed_back_at", "fed_back_at"),
    )

    def overdue(self, now: datetime) -> bool:
        return self.fed_back_at is None and now > self.feedback_due


class HotlineItem(Versioned, Base):
    """A mayor-hotline item (市长热线代办事项, 第八条(六)); `state` is workflows/hotline.py's."""

    __tablename__ = "hotline_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    item_no: Mapped[str] = mapped_column(String(50), unique=True)
    content: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime | None]
    received_at: Mapped[datetime]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[datetime | None]
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    forwarded_to_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    forwarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    notified_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    result: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))

    __table_args__ = (
        Index("ix_hotline_item_unit_state", "unit_id", "state"),
        # a shift's log book: what was signed, forwarded and done in its window (0010)
        Index("ix_hotline_item_unit_signed", "unit_id", "signed_at"),
        Index("ix_hotline_item_unit_notified", "unit_id", "notified_at"),
        Index("ix_hotline_item_unit_done", "unit_id", "done_at"),
        Index("ix_hotline_item_state", "state"),    # the street's open items (0012)
    )


class LogBook(Versioned, Base):
    """The log book of one shift (值班记录本, 第十三条). Sealed at handover: afterwards the
    row refuses UPDATE and DELETE by trigger; `seal_hash` closes the entries' chain."""

    __tablename__ = "log_book"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    day: Mapped[date] = mapped_column(Date)            # the shift's start date, Beijing time
    created_at: Mapped[datetime]
    sealed_at: Mapped[datetime | None]
    sealed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    sealed_entries: Mapped[int | None] = mapped_column(Integer)
    seal_hash: Mapped[str | None] = mapped_column(String(64))

    entries: Mapped[list[LogEntry]] = relationship(
        back_populates="log_book", order_by="(LogEntry.at, LogEntry.id)")

    __table_args__ = (Index("ix_log_book_unit_day", "unit_id", "day"),)


class LogEntry(Base):
    """One line of a log book: compiled from a record (`source_kind`/`source_id`) at
    sealing, or written by hand. Append-only and hash-chained per log book (in id order);
    an addendum (`is_addendum`) corrects `corrects_entry_id` without touching it."""

    __tablename__ = "log_entry"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    log_book_id: Mapped[int] = mapped_column(ForeignKey("log_book.id"))
    at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(Text, default="")
    source_kind: Mapped[str | None] = mapped_column(String(30))
    source_id: Mapped[str | None] = mapped_column(String(50))
    author: Mapped[str] = mapped_column(String(50), default="")
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    is_addendum: Mapped[bool] = mapped_column(Boolean, default=False)
    corrects_entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    log_book: Mapped[LogBook] = relationship(back_populates="entries")

    __table_args__ = (
        Index("ix_log_entry_book_id", "log_book_id", "id"),
        Index("ix_log_entry_at", "at"),
    )
