"""Contacts (通讯录): the street's shared address book, upper levels included.

A number nobody has checked for `contact_review_days` (180 by default) is flagged until
someone confirms it (已核对), so the book the duty room dials from stays true.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from config import load_settings
from models.org import CONTACT_CATEGORIES, Contact
from rules.validation import (
    LANDLINE, MOBILE, PHONE, canonical_phone, clean_text, phone_problem, text_problem,
)
from services import audit
from services.directory.common import CONTACT_CATEGORY_LABELS, apply_changes, load_for_edit, today
from services.errors import NotFound, ValidationError
from services.paging import Paged, page_of
from services.permissions import Actor, require
from services.uow import reading, transaction

_CATEGORY_MESSAGE = "类别：应为" + "、".join(CONTACT_CATEGORY_LABELS.values()) + "之一"


@dataclass(frozen=True)
class ContactData:
    name: str
    category: str
    organisation: str | None = None
    phone: str | None = None
    mobile: str | None = None
    fax: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class ContactRow:
    id: int
    name: str
    organisation: str | None
    category: str
    phone: str | None
    mobile: str | None
    fax: str | None
    notes: str | None
    last_reviewed_on: date
    active: bool
    version: int
    days_since_review: int
    review_overdue: bool

    @property
    def category_label(self) -> str:
        return CONTACT_CATEGORY_LABELS.get(self.category, self.category)


def review_days() -> int:
    return load_settings().contact_review_days


def check_fields(data: ContactData) -> tuple[list[str], dict]:
    """Field-by-field problems and the cleaned values (shared with the Excel import)."""
    category_problem = None
    if data.category not in CONTACT_CATEGORY_LABELS:
        category_problem = "类别：不能为空" if not clean_text(data.category) else _CATEGORY_MESSAGE
    problems = [p for p in (
        text_problem("姓名", data.name, 100, required=True),
        text_problem("单位或机构", data.organisation, 100),
        category_problem,
        phone_problem("电话", data.phone, PHONE),
        phone_problem("手机", data.mobile, MOBILE),
        phone_problem("传真", data.fax, LANDLINE),
        text_problem("备注", data.notes, 500),
    ) if p]
    if not clean_text(data.phone) and not clean_text(data.mobile):
        problems.append("电话、手机：至少填写一项")
    values = dict(
        name=clean_text(data.name), organisation=clean_text(data.organisation),
        category=data.category, phone=canonical_phone(data.phone, PHONE),
        mobile=canonical_phone(data.mobile, MOBILE), fax=canonical_phone(data.fax, LANDLINE),
        notes=clean_text(data.notes),
    )
    return problems, values


def _require_read(actor: Actor) -> None:
    # The book is shared: whoever may read contacts in any scope reads all of it.
    require(actor, "contact.read", actor.unit_id)


# ---------------------------------------------------------------- reading

PER_PAGE = 50


def _contact_query(*, text: str = "", category: str | None = None,
                   include_inactive: bool = False, overdue_only: bool = False,
                   contact_id: int | None = None):
    """Upper levels first (the order of CONTACT_CATEGORIES), active before inactive."""
    cutoff = today() - timedelta(days=review_days())
    rank = case({c: i for i, c in enumerate(CONTACT_CATEGORIES)}, value=Contact.category,
                else_=len(CONTACT_CATEGORIES))
    q = select(Contact).order_by(rank, Contact.active.desc(),
                                 func.coalesce(Contact.organisation, ""), Contact.name, Contact.id)
    if contact_id is not None:
        q = q.where(Contact.id == contact_id)
    if category:
        q = q.where(Contact.category == category)
    if not include_inactive:
        q = q.where(Contact.active.is_(True))
    if overdue_only:
        q = q.where(Contact.last_reviewed_on < cutoff)
    if text and text.strip():
        needle = text.strip()
        q = q.where(or_(*(col.contains(needle, autoescape=True) for col in (
            Contact.name, Contact.organisation, Contact.phone, Contact.mobile, Contact.notes))))
    return q


def _row_maker():
    day = today()
    cutoff = day - timedelta(days=review_days())

    def row(result) -> ContactRow:
        c = result[0]
        return ContactRow(c.id, c.name, c.organisation, c.category, c.phone, c.mobile, c.fax,
                          c.notes, c.last_reviewed_on, c.active, c.version,
                          (day - c.last_reviewed_on).days, c.last_reviewed_on < cutoff)
    return row


def contact_rows(s: Session, **filters) -> list[ContactRow]:
    """Contact rows in the caller's session (lists and the Excel export share it)."""
    row = _row_maker()
    return [row(r) for r in s.execute(_contact_query(**filters)).all()]


def list_contacts(actor: Actor, text: str = "", category: str | None = None,
                  include_inactive: bool = False, overdue_only: bool = False) -> list[ContactRow]:
    """Contacts by category; `review_overdue` marks those unchecked for too long."""
    with reading() as s:
        _require_read(actor)
        return contact_rows(s, text=text, category=category,
                            include_inactive=include_inactive, overdue_only=overdue_only)


@dataclass(frozen=True)
class ContactPage:
    shown: Paged[ContactRow]
    overdue: int  # contacts matching the filters (any page) that wait for a review


def contacts_page(actor: Actor, text: str = "", category: str | None = None,
                  include_inactive: bool = False, overdue_only: bool = False,
                  page: int = 1, per_page: int = PER_PAGE) -> ContactPage:
    """One page of `list_contacts` (the 通讯录 page), and how many of all are overdue."""
    filters = dict(text=text, category=category, include_inactive=include_inactive)
    with reading() as s:
        _require_read(actor)
        shown = page_of(s, _contact_query(**filters, overdue_only=overdue_only), page, per_page,
                        _row_maker())
        overdue = s.execute(select(func.count()).select_from(
            _contact_query(**filters, overdue_only=True).order_by(None).subquery())).scalar_one()
        return ContactPage(shown, overdue)


def get_contact(actor: Actor, contact_id: int) -> ContactRow:
    with reading() as s:
        _require_read(actor)
        rows = contact_rows(s, contact_id=contact_id, include_inactive=True)
    if not rows:
        raise NotFound("联系人不存在")
    return rows[0]


# ---------------------------------------------------------------- writing

def create_contact(actor: Actor, data: ContactData) -> int:
    """A new contact counts as reviewed today: whoever enters a number has just checked it."""
    with transaction() as s:
        require(actor, "contact.write")
        problems, values = check_fields(data)
        if problems:
            raise ValidationError(problems)
        contact = Contact(**values, last_reviewed_on=today(), active=True)
        s.add(contact)
        s.flush()
        audit.record(s, actor, "contact.create", "contact", contact.id,
                     details={"name": contact.name, "category": contact.category})
        return contact.id


def update_contact(actor: Actor, contact_id: int, version: int, data: ContactData) -> None:
    with transaction() as s:
        require(actor, "contact.write")
        contact = load_for_edit(s, Contact, contact_id, version, "联系人")
        problems, values = check_fields(data)
        if problems:
            raise ValidationError(problems)
        changes = apply_changes(contact, values)
        if changes:
            audit.record(s, actor, "contact.update", "contact", contact.id,
                         details={"name": contact.name, "changes": changes})


def mark_reviewed(actor: Actor, contact_id: int, version: int) -> None:
    """已核对: the numbers were checked today; the flag goes away for another period."""
    with transaction() as s:
        require(actor, "contact.write")
        contact = load_for_edit(s, Contact, contact_id, version, "联系人")
        before = contact.last_reviewed_on
        contact.last_reviewed_on = today()
        audit.record(s, actor, "contact.review", "contact", contact.id,
                     details={"name": contact.name, "before": before,
                              "after": contact.last_reviewed_on})


def set_contact_active(actor: Actor, contact_id: int, version: int, active: bool) -> None:
    with transaction() as s:
        require(actor, "contact.write")
        contact = load_for_edit(s, Contact, contact_id, version, "联系人")
        if contact.active == active:
            return
        contact.active = active
        audit.record(s, actor, "contact.reactivate" if active else "contact.deactivate",
                     "contact", contact.id, details={"name": contact.name})
