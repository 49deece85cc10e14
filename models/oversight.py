"""Oversight by the office: inspections and spot checks (检查、抽查/查岗) with their
rectification, the bulletins (通报) that publish them (第十七条), and training sessions with
attendance (岗前培训 / 年度培训, 第十六条).

Codes are identifiers (`phone`, `on_site`, `video`; `draft`, `published`; `pre_job`,
`yearly`); Chinese appears only in the services' labels.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Versioned

INSPECTION_METHODS = ("phone", "on_site", "video")
BULLETIN_STATES = ("draft", "published")
TRAINING_KINDS = ("pre_job", "yearly")


class Inspection(Versioned, Base):
    """One check of a unit's duty by the office (第十七条).

    The four findings are None when the method could not see them (a phone check does not
    see the log book) or when nobody answered. `passed` is derived by the service from the
    findings when the check is recorded and stored, so lists and the compliance dashboard
    filter on it with an index.
    """

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(20))
    phone_called: Mapped[str | None] = mapped_column(String(30))
    answered: Mapped[bool] = mapped_column(Boolean)
    answer_seconds: Mapped[int | None] = mapped_column(Integer)
    officer_present: Mapped[bool | None] = mapped_column(Boolean)
    officer_permanent: Mapped[bool | None] = mapped_column(Boolean)
    log_book_complete: Mapped[bool | None] = mapped_column(Boolean)
    equipment_ok: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text, default="")
    passed: Mapped[bool] = mapped_column(Boolean)
    rectification_required: Mapped[bool] = mapped_column(Boolean, default=False)
    rectification_deadline: Mapped[date | None] = mapped_column(Date)
    rectified_at: Mapped[datetime | None]
    rectification_note: Mapped[str | None] = mapped_column(Text)
    rectified_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    inspector_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]

    unit = relationship("Unit")

    __table_args__ = (
        Index("ix_inspection_unit_at", "unit_id", "at"),
        Index("ix_inspection_at", "at"),
        Index("ix_inspection_rectification_deadline", "rectification_deadline"),  # overdue (0016)
    )


class Bulletin(Versioned, Base):
    """A bulletin (通报) of the checks of a period; a draft regenerates its .docx on demand,
    a published one keeps the exact file it was published with."""

    __tablename__ = "bulletin"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    intro: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    docx: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    inspections: Mapped[list[BulletinInspection]] = relationship(
        back_populates="bulletin", cascade="all, delete-orphan", order_by="BulletinInspection.id")

    __table_args__ = (Index("ix_bulletin_state", "state"),)


class BulletinInspection(Base):
    """The checks a bulletin publishes; the units of these checks see the bulletin."""

    __tablename__ = "bulletin_inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id", ondelete="CASCADE"))
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))

    bulletin: Mapped[Bulletin] = relationship(back_populates="inspections")

    __table_args__ = (
        UniqueConstraint("bulletin_id", "inspection_id"),
        Index("ix_bulletin_inspection_unit", "unit_id", "bulletin_id"),
    )


class TrainingSession(Versioned, Base):
    """One training session (第十六条): pre-job (岗前) or yearly (年度)."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]

    attendances: Mapped[list[TrainingAttendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="TrainingAttendance.id")


class TrainingAttendance(Base):
    """A person's attendance of a session; a passed one updates the person's training date."""

    __tablename__ = "training_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    passed: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime]

    session: Mapped[TrainingSession] = relationship(back_populates="attendances")

    __table_args__ = (UniqueConstraint("session_id", "person_id"),)


class RosterFindingMonth(Base):
    """The roster rules' findings (第二、九、十条) for one unit and month, as the compliance
    dashboard counts them: a maintained aggregate, so a dashboard opened after a write
    recomputes only the months that write touched (services/roster_findings).

    `version` moves with every write that can change the findings (a shift's times, unit,
    roster or leader, its officers, the roster itself), in that write's transaction;
    `findings` is None until computed, and is stored only under the version it was computed
    from. `basis` names the holiday table and special periods it was computed under (their
    data_version tokens): a change to either makes every month's findings stale at once."""

    __tablename__ = "roster_finding_month"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    basis: Mapped[str | None] = mapped_column(String(64))
    findings: Mapped[str | None] = mapped_column(Text)   # JSON: [[day, rule, shift id, text], ...]
