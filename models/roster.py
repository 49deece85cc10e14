"""Duty calendar, rosters and shifts, swaps, check-ins and the signed handover.

- holiday_day: statutory holidays and adjusted working days (第十条), seeded from
  `chinese_calendar` and editable by the office;
- special_period: flood season, sensitive and major-incident periods with what they
  require (double staffing 第九条, leaders on duty 第十条) and the units they cover;
- roster / shift / shift_officer: a unit's month of duty (第二、九条);
- unavailability: leave and days a person cannot be rostered;
- swap_request: swaps and substitutions (换班 / 替班), approved by a shift leader;
- check_in: arrival of the incoming officers, late when after start − 10 min (第十四条);
- handover / handover_item: the face-to-face handover signed by both sides, the
  equipment check (第十三、二十三条) and the open items with who answers for them (第十四条).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Versioned

HOLIDAY_KINDS = ("statutory_holiday", "adjusted_working_day")
HOLIDAY_SOURCES = ("chinese_calendar", "manual")
PERIOD_KINDS = ("flood_season", "sensitive", "major_incident")
ROSTER_STATUSES = ("draft", "published")
SHIFT_STATES = ("scheduled", "on_duty", "handed_over")
SWAP_KINDS = ("swap", "substitution")
SWAP_STATES = ("requested", "accepted", "approved", "declined", "rejected", "cancelled")
HANDOVER_STATES = ("draft", "signed")
RESPONSIBLE_PARTIES = ("outgoing", "incoming")


class HolidayDay(Versioned, Base):
    """One day of the holiday table; the rules read it as a `rules.calendar.HolidayCalendar`."""

    __tablename__ = "holiday_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20))


special_period_unit = Table(
    "special_period_unit",
    Base.metadata,
    Column("period_id", ForeignKey("special_period.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id"), primary_key=True, index=True),
)


class SpecialPeriodRow(Versioned, Base):
    """A flood season, sensitive or major-incident period (第九、十条) as data."""

    __tablename__ = "special_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    all_units: Mapped[bool] = mapped_column(Boolean, default=True)
    double_staffing: Mapped[bool] = mapped_column(Boolean, default=True)
    leaders_on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    units = relationship("Unit", secondary=special_period_unit, lazy="selectin",
                         order_by="Unit.id")

    __table_args__ = (Index("ix_special_period_span", "starts_at", "ends_at"),)


class Roster(Versioned, Base):
    """A unit's month of duty; published only without violations."""

    __tablename__ = "roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int]
    month: Mapped[int]
    template_set: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    shifts: Mapped[list[Shift]] = relationship(back_populates="roster", order_by="Shift.starts_at",
                                               cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("unit_id", "year", "month"),)


class Shift(Versioned, Base):
    """One shift of a roster: its duty officers, its shift leader and its live state."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("roster.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    template_code: Mapped[str] = mapped_column(String(20))
    leader_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    state: Mapped[str] = mapped_column(String(20), default="scheduled")
    on_duty_at: Mapped[datetime | None]
    handed_over_at: Mapped[datetime | None]

    roster: Mapped[Roster] = relationship(back_populates="shifts")
    officers: Mapped[list[ShiftOfficer]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="ShiftOfficer.id",
        lazy="selectin")

    __table_args__ = (
        Index("ix_shift_unit_starts", "unit_id", "starts_at"),
        Index("ix_shift_state", "state"),
        Index("ix_shift_ends_at", "ends_at"),  # unsigned handovers by end time (0006)
        Index("ix_shift_leader_starts", "leader_person_id", "starts_at"),  # a leader's near shifts (0007)
    )

    @property
    def officer_ids(self) -> list[int]:
        return [o.person_id for o in self.officers]


class ShiftOfficer(Base):
    __tablename__ = "shift_officer"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))

    shift: Mapped[Shift] = relationship(back_populates="officers")

    __table_args__ = (
        UniqueConstraint("shift_id", "person_id"),
        # A person's shifts within a range of shift ids, from the index alone (0007).
        Index("ix_shift_officer_person_shift", "person_id", "shift_id"),
    )


class Unavailability(Base):
    """A day a person cannot be rostered (leave, training, sick); the scheduler respects it."""

    __tablename__ = "unavailability"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("person_id", "day"), Index("ix_unavailability_day", "day"))


class SwapRequest(Versioned, Base):
    """换班 (swap: two people exchange shifts) or 替班 (substitution: one takes the other's post).

    requested → accepted (by the colleague) → approved (by a shift leader, after the rules
    are checked again); declined by the colleague, rejected by the leader, cancelled by
    the requester.
    """

    __tablename__ = "swap_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    other_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    from_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    to_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="requested")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    approved_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_swap_request_state", "state"),)


class CheckIn(Base):
    """Arrival for a shift (第十四条: 提前10分钟到岗); later than start − 10 min is late."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime]
    late: Mapped[bool] = mapped_column(Boolean, default=False)

    # Late arrivals by period (0016): only the late ones are indexed, the predicate as each
    # dialect renders late.is_(True) so that the planners match the query's WHERE to it.
    __table_args__ = (UniqueConstraint("shift_id", "person_id"),
                      Index("ix_check_in_late_at", "at", sqlite_where=text("late IS 1"),
                            postgresql_where=text("late IS true")))


_SIGNED = text("state = 'signed'")


class Handover(Versioned, Base):
    """The handover from one shift to the next (第十四条), signed by both sides.

    `equipment` is a list of {"item", "ok", "note"} (第十三、二十三条).
    """

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(primary_key=True)
    outgoing_shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), unique=True)
    incoming_shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    equipment: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    outgoing_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    outgoing_confirmed_at: Mapped[datetime | None]
    incoming_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    incoming_confirmed_at: Mapped[datetime | None]

    items: Mapped[list[HandoverItem]] = relationship(
        back_populates="handover", cascade="all, delete-orphan", order_by="HandoverItem.id",
        lazy="selectin")

    # The compliance dashboard asks, for each shift that ended in a month, whether a signed
    # handover exists: PostgreSQL answers from this index alone (0015). SQLite keeps to the
    # unique index on outgoing_shift_id, as fast there.
    __table_args__ = (Index("ix_handover_signed_outgoing", "outgoing_shift_id",
                            sqlite_where=_SIGNED, postgresql_where=_SIGNED),)


class HandoverItem(Base):
    """An open item at handover and who answers for it (第十四条).

    `responsible` is derived from the facts (passed_on, acknowledged_at, acted_on_at and
    the incoming shift's end) by `rules.handover.responsibility` and kept for the log book.
    """

    __tablename__ = "handover_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    since: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    passed_on: Mapped[bool] = mapped_column(Boolean, default=True)
    acknowledged_at: Mapped[datetime | None]
    acted_on_at: Mapped[datetime | None]
    responsible: Mapped[str | None] = mapped_column(String(20))
    responsible_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    finding: Mapped[str | None] = mapped_column(String(30))

    handover: Mapped[Handover] = relationship(back_populates="items")

    __table_args__ = (
        UniqueConstraint("handover_id", "kind", "ref_id"),
        Index("ix_handover_item_ref", "kind", "ref_id"),
    )
