"""People: the staff of each unit. A unit duty officer manages their own unit's people only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.org import Person, Unit
from rules.validation import (
    LANDLINE, MOBILE, canonical_phone, clean_text, date_problem, phone_problem, text_problem,
)
from services import audit, view_cache
from services.directory.common import EMPLOYMENT_LABELS, apply_changes, load_for_edit, today
from services.errors import DomainError, NotFound, ValidationError
from services.paging import Paged, page_of
from services.permissions import Actor, require, scoped_unit
from services.uow import reading, transaction

_EMPLOYMENT_MESSAGE = "用工性质：应为" + "、".join(EMPLOYMENT_LABELS.values()) + "之一"


@dataclass(frozen=True)
class PersonData:
    name: str
    unit_id: int | None
    employment: str
    position: str | None = None
    mobile: str | None = None
    office_phone: str | None = None
    can_lead_shift: bool = False
    pre_job_trained_on: date | None = None
    yearly_trained_on: date | None = None


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    unit_id: int
    unit_name: str
    position: str | None
    mobile: str | None
    office_phone: str | None
    employment: str
    can_lead_shift: bool
    pre_job_trained_on: date | None
    yearly_trained_on: date | None
    active: bool
    version: int

    @property
    def employment_label(self) -> str:
        return EMPLOYMENT_LABELS.get(self.employment, self.employment)


def check_fields(data: PersonData) -> tuple[list[str], dict]:
    """Field-by-field problems and the cleaned values (shared with the Excel import)."""
    employment_problem = None
    if data.employment not in EMPLOYMENT_LABELS:
        employment_problem = ("用工性质：不能为空" if not clean_text(data.employment)
                              else _EMPLOYMENT_MESSAGE)
    day = today()
    problems = [p for p in (
        text_problem("姓名", data.name, 50, required=True),
        None if data.unit_id is not None else "所属单位：不能为空",
        text_problem("职务", data.position, 50),
        phone_problem("手机", data.mobile, MOBILE),
        phone_problem("办公电话", data.office_phone, LANDLINE),
        employment_problem,
        date_problem("岗前培训日期", data.pre_job_trained_on, day),
        date_problem("年度培训日期", data.yearly_trained_on, day),
    ) if p]
    values = dict(
        name=clean_text(data.name), unit_id=data.unit_id, position=clean_text(data.position),
        mobile=canonical_phone(data.mobile, MOBILE),
        office_phone=canonical_phone(data.office_phone, LANDLINE),
        employment=data.employment, can_lead_shift=bool(data.can_lead_shift),
        pre_job_trained_on=data.pre_job_trained_on, yearly_trained_on=data.yearly_trained_on,
    )
    return problems, values


def _unit_problem(s: Session, unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = s.get(Unit, unit_id)
    if unit is None:
        return "所属单位：不存在"
    if not unit.active:
        return f"所属单位：「{unit.name}」已停用"
    return None


def _leading(s: Session, person: Person) -> list[str]:
    """'「X社区」的主要负责同志' for each unit this person leads."""
    units = s.execute(select(Unit).where(or_(Unit.principal_leader_id == person.id,
                                              Unit.deputy_in_charge_id == person.id))).scalars()
    roles = []
    for unit in units:
        if unit.principal_leader_id == person.id:
            roles.append(f"「{unit.name}」的主要负责同志")
        if unit.deputy_in_charge_id == person.id:
            roles.append(f"「{unit.name}」的分管负责人")
    return roles


# ---------------------------------------------------------------- reading

PER_PAGE = 50


def _person_query(scope: int | None, *, unit_id: int | None = None, text: str = "",
                  include_inactive: bool = False, person_id: int | None = None):
    q = (select(Person, Unit.name).join(Unit, Unit.id == Person.unit_id)
         .order_by(Unit.name, Person.name, Person.id))
    for wanted in (scope, unit_id):
        if wanted is not None:
            q = q.where(Person.unit_id == wanted)
    if person_id is not None:
        q = q.where(Person.id == person_id)
    if not include_inactive:
        q = q.where(Person.active.is_(True))
    if text and text.strip():
        needle = text.strip()
        q = q.where(or_(*(col.contains(needle, autoescape=True) for col in (
            Person.name, Person.position, Person.mobile, Person.office_phone))))
    return q


def _person_row(result) -> PersonRow:
    p, unit_name = result
    return PersonRow(p.id, p.name, p.unit_id, unit_name, p.position, p.mobile, p.office_phone,
                     p.employment, p.can_lead_shift, p.pre_job_trained_on, p.yearly_trained_on,
                     p.active, p.version)


def person_rows(s: Session, scope: int | None, **filters) -> list[PersonRow]:
    """Person rows in the caller's session, limited to `scope` (a unit id) when given."""
    return [_person_row(r) for r in s.execute(_person_query(scope, **filters)).all()]


def _reading_scope(actor: Actor, unit_id: int | None) -> int | None:
    scope = scoped_unit(actor, "person.read")
    if scope is not None and unit_id is not None and unit_id != scope:
        require(actor, "person.read", unit_id)
    return scope


def list_people(actor: Actor, unit_id: int | None = None, text: str = "",
                include_inactive: bool = False) -> list[PersonRow]:
    """People the actor may see, by unit and name; `text` matches name, position or phones."""
    with reading() as s:
        scope = _reading_scope(actor, unit_id)
        return list(view_cache.cached(
            s, ("list_people", scope, unit_id, text, include_inactive), lambda: tuple(
                person_rows(s, scope, unit_id=unit_id, text=text, include_inactive=include_inactive))))


def people_page(actor: Actor, unit_id: int | None = None, text: str = "",
                include_inactive: bool = False, page: int = 1,
                per_page: int = PER_PAGE) -> Paged[PersonRow]:
    """One page of `list_people` (the 人员 page): a street has thousands of people."""
    with reading() as s:
        q = _person_query(_reading_scope(actor, unit_id), unit_id=unit_id, text=text,
                          include_inactive=include_inactive)
        return page_of(s, q, page, per_page, _person_row)


def get_person(actor: Actor, person_id: int) -> PersonRow:
    with reading() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("人员不存在")
        require(actor, "person.read", person.unit_id)
        return person_rows(s, None, person_id=person_id, include_inactive=True)[0]


# ---------------------------------------------------------------- writing

def create_person(actor: Actor, data: PersonData) -> int:
    with transaction() as s:
        require(actor, "person.write", data.unit_id if data.unit_id is not None else actor.unit_id)
        problems, values = check_fields(data)
        problems += [p for p in (_unit_problem(s, data.unit_id),) if p]
        if problems:
            raise ValidationError(problems)
        person = Person(**values, active=True)
        s.add(person)
        s.flush()
        audit.record(s, actor, "person.create", "person", person.id,
                     details={"name": person.name, "unit_id": person.unit_id,
                              "employment": person.employment})
        return person.id


def update_person(actor: Actor, person_id: int, version: int, data: PersonData) -> None:
    """Edit a person; moving them to another unit needs the right on both units."""
    with transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("人员不存在")
        require(actor, "person.write", person.unit_id)
        if data.unit_id is not None and data.unit_id != person.unit_id:
            require(actor, "person.write", data.unit_id)
        person = load_for_edit(s, Person, person_id, version, "人员")
        problems, values = check_fields(data)
        if data.unit_id is not None and data.unit_id != person.unit_id:
            problems += [p for p in (_unit_problem(s, data.unit_id),) if p]
            problems += [f"所属单位：该人员是{role}，请先在单位信息中更换" for role in _leading(s, person)]
        if problems:
            raise ValidationError(problems)
        changes = apply_changes(person, values)
        if changes:
            audit.record(s, actor, "person.update", "person", person.id,
                         details={"name": person.name, "changes": changes})


def set_person_active(actor: Actor, person_id: int, version: int, active: bool) -> None:
    """Deactivate (people are referenced by shifts, units and accounts) or reactivate."""
    with transaction() as s:
        person = s.get(Person, person_id)
        if person is None:
            raise NotFound("人员不存在")
        require(actor, "person.write", person.unit_id)
        person = load_for_edit(s, Person, person_id, version, "人员")
        if person.active == active:
            return
        if active:
            problem = _unit_problem(s, person.unit_id)
            if problem:
                raise DomainError(problem)
        else:
            roles = _leading(s, person)
            if roles:
                raise DomainError(f"{person.name}是{'、'.join(roles)}，请先在单位信息中更换后再停用")
        person.active = active
        audit.record(s, actor, "person.reactivate" if active else "person.deactivate", "person",
                     person.id, details={"name": person.name, "unit_id": person.unit_id})
