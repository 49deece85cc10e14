"""Organisation: units, duty-phone filings (第二十三条), people, contacts."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Versioned

UNIT_KINDS = ("street_office", "grassroots", "station", "department")
EMPLOYMENTS = ("permanent", "contract", "temporary")
CONTACT_CATEGORIES = ("district_duty_office", "district_emergency_bureau", "unit", "other")


class Unit(Versioned, Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    principal_leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", use_alter=True, name="fk_unit_principal_leader_id_person")
    )
    deputy_in_charge_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", use_alter=True, name="fk_unit_deputy_in_charge_id_person")
    )
    duty_phone: Mapped[str | None] = mapped_column(String(30))
    fax: Mapped[str | None] = mapped_column(String(30))
    address: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")
    principal_leader: Mapped[Person | None] = relationship(foreign_keys=[principal_leader_id])
    deputy_in_charge: Mapped[Person | None] = relationship(foreign_keys=[deputy_in_charge_id])


class DutyPhoneFiling(Versioned, Base):
    """A change of a unit's duty phone, filed with the office (报备, 第二十三条)."""

    __tablename__ = "duty_phone_filing"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    old_phone: Mapped[str | None] = mapped_column(String(30))
    new_phone: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    filed_at: Mapped[datetime]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    acknowledged_at: Mapped[datetime | None]

    unit: Mapped[Unit] = relationship()


class Person(Versioned, Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(20))
    office_phone: Mapped[str | None] = mapped_column(String(30))
    employment: Mapped[str] = mapped_column(String(20))
    can_lead_shift: Mapped[bool] = mapped_column(Boolean, default=False)
    # Training dates carried on the person until training records exist (第十六条).
    pre_job_trained_on: Mapped[date | None] = mapped_column(Date)
    yearly_trained_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])


class Contact(Versioned, Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str | None] = mapped_column(String(30))
    mobile: Mapped[str | None] = mapped_column(String(20))
    fax: Mapped[str | None] = mapped_column(String(30))
    notes: Mapped[str | None] = mapped_column(Text)
    last_reviewed_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("ix_contact_category_name", "category", "name"),)
