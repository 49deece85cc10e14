"""Units and their duty phones.

第二十三条: every unit keeps one fixed duty phone; a change must be filed with the office
(报党政办备案). So the duty phone is never edited directly: a change is a filing (old, new,
reason, who, when) that updates the unit in the same transaction, and the office
acknowledges it. The phone a unit starts with is its first filing (old = None).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from models.auth import User
from models.org import UNIT_KINDS, DutyPhoneFiling, Person, Unit
from rules.validation import (
    LANDLINE, PHONE, canonical_phone, clean_text, has_control, phone_problem, text_problem,
)
from services import audit, clock, view_cache
from services.directory.common import UNIT_KIND_LABELS, apply_changes, load_for_edit
from services.errors import DomainError, NotFound, ValidationError
from services.permissions import Actor, can, require, scoped_unit
from services.uow import reading, transaction

ARTICLE = "第二十三条"
FIRST_FILING_REASON = "新建单位时登记值班电话"
_KIND_MESSAGE = "单位类型：应为" + "、".join(UNIT_KIND_LABELS.values()) + "之一"


@dataclass(frozen=True)
class UnitData:
    """What a unit form edits. The duty phone is not here: it changes only by a filing."""

    name: str
    kind: str
    parent_id: int | None = None
    principal_leader_id: int | None = None
    deputy_in_charge_id: int | None = None
    fax: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str
    parent_id: int | None
    parent_name: str | None
    principal_leader_id: int | None
    principal_leader_name: str | None
    deputy_in_charge_id: int | None
    deputy_in_charge_name: str | None
    duty_phone: str | None
    fax: str | None
    address: str | None
    active: bool
    version: int
    pending_filings: int = 0

    @property
    def kind_label(self) -> str:
        return UNIT_KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class FilingRow:
    id: int
    unit_id: int
    unit_name: str
    old_phone: str | None
    new_phone: str
    reason: str
    filed_by_name: str
    filed_at: datetime
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    version: int

    @property
    def pending(self) -> bool:
        return self.acknowledged_at is None


# ---------------------------------------------------------------- checks

def check_fields(data: UnitData, duty_phone: str | None = None) -> tuple[list[str], dict]:
    """Field-by-field problems and the cleaned values (shared with the Excel import)."""
    kind_problem = None
    if data.kind not in UNIT_KIND_LABELS:
        kind_problem = "单位类型：不能为空" if not clean_text(data.kind) else _KIND_MESSAGE
    problems = [p for p in (
        text_problem("单位名称", data.name, 100, required=True),
        kind_problem,
        phone_problem("值班电话", duty_phone, PHONE),
        phone_problem("传真", data.fax, LANDLINE),
        text_problem("地址", data.address, 200),
    ) if p]
    values = dict(name=clean_text(data.name), kind=data.kind,
                  fax=canonical_phone(data.fax, LANDLINE), address=clean_text(data.address))
    return problems, values


def _other_street_office(s: Session, unit_id: int | None) -> str | None:
    q = select(Unit.name).where(Unit.kind == "street_office", Unit.active.is_(True))
    if unit_id is not None:
        q = q.where(Unit.id != unit_id)
    return s.execute(q.limit(1)).scalar_one_or_none()


def _ancestors(s: Session, unit_id: int) -> set[int]:
    seen: set[int] = set()
    current = s.get(Unit, unit_id)
    while current is not None and current.id not in seen:
        seen.add(current.id)
        current = s.get(Unit, current.parent_id) if current.parent_id else None
    return seen


def _db_problems(s: Session, data: UnitData, values: dict, unit_id: int | None) -> list[str]:
    problems = []
    if values["name"] and not has_control(values["name"]):   # NUL: refused, never queried
        clash = select(Unit.id).where(Unit.name == values["name"])
        if unit_id is not None:
            clash = clash.where(Unit.id != unit_id)
        if s.execute(clash).first():
            problems.append(f"单位名称：「{values['name']}」已存在")
    if data.kind == "street_office":
        other = _other_street_office(s, unit_id)
        if other:
            problems.append(f"单位类型：已有街道机关「{other}」，街道机关只能有一个")
        if data.parent_id is not None:
            problems.append("上级单位：街道机关不设上级单位")
    if data.parent_id is not None:
        parent = s.get(Unit, data.parent_id)
        if parent is None:
            problems.append("上级单位：不存在")
        elif not parent.active:
            problems.append(f"上级单位：「{parent.name}」已停用")
        elif unit_id is not None and unit_id in _ancestors(s, parent.id):
            problems.append("上级单位：不能选择本单位或本单位的下级单位")
    for label, person_id in (("主要负责同志", data.principal_leader_id),
                             ("分管负责人", data.deputy_in_charge_id)):
        if person_id is None:
            continue
        person = s.get(Person, person_id)
        if person is None or unit_id is None or person.unit_id != unit_id or not person.active:
            problems.append(f"{label}：须为本单位在册人员")
    return problems


def _flush_unique_name(s: Session, name: str) -> None:
    """The name check above can race another writer (PostgreSQL); the unique index wins."""
    try:
        s.flush()
    except IntegrityError as exc:
        raise ValidationError([f"单位名称：「{name}」已存在"]) from exc


# ---------------------------------------------------------------- reading

def unit_rows(s: Session, scope: int | None, *, text: str = "", kind: str | None = None,
              include_inactive: bool = False, unit_id: int | None = None) -> list[UnitRow]:
    """Unit rows in the caller's session, one query: parent, leaders and pending filings
    joined in. `scope` (a unit id) limits them to one unit."""
    parent = aliased(Unit)
    leader = aliased(Person)
    deputy = aliased(Person)
    pending = (select(DutyPhoneFiling.unit_id, func.count(DutyPhoneFiling.id).label("n"))
               .where(DutyPhoneFiling.acknowledged_at.is_(None))
               .group_by(DutyPhoneFiling.unit_id).subquery())
    q = (select(Unit, parent.name, leader.name, deputy.name, pending.c.n)
         .outerjoin(parent, parent.id == Unit.parent_id)
         .outerjoin(leader, leader.id == Unit.principal_leader_id)
         .outerjoin(deputy, deputy.id == Unit.deputy_in_charge_id)
         .outerjoin(pending, pending.c.unit_id == Unit.id))
    if scope is not None:
        q = q.where(Unit.id == scope)
    if unit_id is not None:
        q = q.where(Unit.id == unit_id)
    if kind:
        q = q.where(Unit.kind == kind)
    if not include_inactive:
        q = q.where(Unit.active.is_(True))
    if text and text.strip():
        q = q.where(Unit.name.contains(text.strip(), autoescape=True))
    rows = [UnitRow(u.id, u.name, u.kind, u.parent_id, parent_name, u.principal_leader_id,
                    leader_name, u.deputy_in_charge_id, deputy_name, u.duty_phone, u.fax,
                    u.address, u.active, u.version, n or 0)
            for u, parent_name, leader_name, deputy_name, n in s.execute(q).all()]
    order = {k: i for i, k in enumerate(UNIT_KINDS)}
    return sorted(rows, key=lambda r: (order.get(r.kind, 99), not r.active, r.name))


def list_units(actor: Actor, text: str = "", kind: str | None = None,
               include_inactive: bool = False) -> list[UnitRow]:
    """Units the actor may see (a unit duty officer: their own), street office first."""
    with reading() as s:
        scope = scoped_unit(actor, "unit.read")
        return list(view_cache.cached(s, ("list_units", scope, text, kind, include_inactive), lambda: tuple(
            unit_rows(s, scope, text=text, kind=kind, include_inactive=include_inactive))))


def group_by_kind(rows: list[UnitRow]) -> dict[str, list[UnitRow]]:
    """{kind: rows} in the order 街道机关, 基层单位, 二级站所, 机关科室 (every kind present)."""
    groups: dict[str, list[UnitRow]] = {k: [] for k in UNIT_KINDS}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    return groups


def get_unit(actor: Actor, unit_id: int) -> UnitRow:
    with reading() as s:
        require(actor, "unit.read", unit_id)
        rows = unit_rows(s, None, unit_id=unit_id, include_inactive=True)
    if not rows:
        raise NotFound("单位不存在")
    return rows[0]


def list_filings(actor: Actor, unit_id: int | None = None,
                 pending_only: bool = False) -> list[FilingRow]:
    """Duty-phone filings, newest first: one unit's history, or every pending one."""
    with reading() as s:
        scope = scoped_unit(actor, "unit.read")
        if scope is not None and unit_id is not None and unit_id != scope:
            require(actor, "unit.read", unit_id)
        filer = aliased(User)
        acknowledger = aliased(User)
        q = (select(DutyPhoneFiling, Unit.name, filer.display_name, acknowledger.display_name)
             .join(Unit, Unit.id == DutyPhoneFiling.unit_id)
             .join(filer, filer.id == DutyPhoneFiling.filed_by_id)
             .outerjoin(acknowledger, acknowledger.id == DutyPhoneFiling.acknowledged_by_id)
             .order_by(DutyPhoneFiling.filed_at.desc(), DutyPhoneFiling.id.desc()))
        for wanted in (scope, unit_id):
            if wanted is not None:
                q = q.where(DutyPhoneFiling.unit_id == wanted)
        if pending_only:
            q = q.where(DutyPhoneFiling.acknowledged_at.is_(None))
        return [FilingRow(f.id, f.unit_id, unit_name, f.old_phone, f.new_phone, f.reason,
                          filed_by, f.filed_at, acked_by, f.acknowledged_at, f.version)
                for f, unit_name, filed_by, acked_by in s.execute(q).all()]


# ---------------------------------------------------------------- units

def create_unit(actor: Actor, data: UnitData, duty_phone: str | None = None) -> int:
    """A new unit; its first duty phone, if given, is recorded as its first filing."""
    with transaction() as s:
        require(actor, "unit.write")
        problems, values = check_fields(data, duty_phone)
        problems += _db_problems(s, data, values, None)
        if problems:
            raise ValidationError(problems)
        unit = Unit(**values, parent_id=data.parent_id, active=True)
        s.add(unit)
        _flush_unique_name(s, unit.name)
        phone = canonical_phone(duty_phone, PHONE)
        if phone:
            record_filing(s, actor, unit, phone, FIRST_FILING_REASON)
        audit.record(s, actor, "unit.create", "unit", unit.id,
                     details={"name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
                              "duty_phone": phone})
        return unit.id


def update_unit(actor: Actor, unit_id: int, version: int, data: UnitData) -> None:
    """Edit name, kind, parent, leaders (persons of this unit), fax and address."""
    with transaction() as s:
        require(actor, "unit.write")
        unit = load_for_edit(s, Unit, unit_id, version, "单位")
        problems, values = check_fields(data)
        problems += _db_problems(s, data, values, unit.id)
        if problems:
            raise ValidationError(problems)
        changes = apply_changes(unit, dict(
            values, parent_id=data.parent_id, principal_leader_id=data.principal_leader_id,
            deputy_in_charge_id=data.deputy_in_charge_id))
        if changes:
            _flush_unique_name(s, unit.name)
            audit.record(s, actor, "unit.update", "unit", unit.id, details={"changes": changes})


def set_unit_active(actor: Actor, unit_id: int, version: int, active: bool) -> None:
    """Deactivate (never delete: shifts, people and filings refer to it) or reactivate."""
    with transaction() as s:
        require(actor, "unit.write")
        unit = load_for_edit(s, Unit, unit_id, version, "单位")
        if unit.active == active:
            return
        if active:
            parent = s.get(Unit, unit.parent_id) if unit.parent_id else None
            if parent is not None and not parent.active:
                raise DomainError(f"上级单位「{parent.name}」已停用，请先启用上级单位")
            if unit.kind == "street_office" and (other := _other_street_office(s, unit.id)):
                raise DomainError(f"已有街道机关「{other}」，街道机关只能有一个")
        else:
            children = s.execute(select(Unit.name).order_by(Unit.name).where(
                Unit.parent_id == unit.id, Unit.active.is_(True))).scalars().all()
            if children:
                raise DomainError(f"「{unit.name}」仍有在用的下级单位：{'、'.join(children)}，请先停用")
            people = s.execute(select(func.count(Person.id)).where(
                Person.unit_id == unit.id, Person.active.is_(True))).scalar_one()
            if people:
                raise DomainError(f"「{unit.name}」仍有 {people} 名在册人员，请先调整单位或停用")
        unit.active = active
        audit.record(s, actor, "unit.reactivate" if active else "unit.deactivate", "unit",
                     unit.id, details={"name": unit.name})


# ---------------------------------------------------------------- duty-phone filings

def record_filing(s: Session, actor: Actor, unit: Unit, new_phone: str,
                  reason: str) -> DutyPhoneFiling | None:
    """Set the unit's duty phone and file the change (第二十三条), in the caller's transaction.

    A filing made by the office itself is acknowledged at once: the office is who it is
    filed with. The server's own tools (manage.py, no account) set a first phone without
    a filing, since a filing names the account that filed it; the audit event records it.
    """
    old = unit.duty_phone
    unit.duty_phone = new_phone
    if actor.user_id is None:
        return None
    now = clock.now()
    filing = DutyPhoneFiling(unit_id=unit.id, old_phone=old, new_phone=new_phone, reason=reason,
                             filed_by_id=actor.user_id, filed_at=now)
    if can(actor, "duty_phone.acknowledge"):
        filing.acknowledged_by_id, filing.acknowledged_at = actor.user_id, now
    s.add(filing)
    s.flush()
    return filing


def file_duty_phone_change(actor: Actor, unit_id: int, version: int, new_phone: str,
                           reason: str) -> int:
    """A unit changes its duty phone by filing the change with the office (第二十三条)."""
    with transaction() as s:
        require(actor, "duty_phone.file", unit_id)
        if actor.user_id is None:
            raise DomainError(f"值班电话变更须由登录账号报备（{ARTICLE}）")
        unit = load_for_edit(s, Unit, unit_id, version, "单位")
        if not unit.active:
            raise DomainError(f"「{unit.name}」已停用，不能报备值班电话")
        phone = canonical_phone(new_phone, PHONE)
        problems = [p for p in (
            text_problem("新值班电话", new_phone, 30, required=True)
            or phone_problem("新值班电话", new_phone, PHONE),
            text_problem("变更原因", reason, 200, required=True),
        ) if p]
        if phone and phone == unit.duty_phone:
            problems.append("新值班电话：与现用值班电话相同")
        if problems:
            raise ValidationError(problems)
        filing = record_filing(s, actor, unit, phone, clean_text(reason))
        audit.record(s, actor, "duty_phone.file", "duty_phone_filing", filing.id,
                     details={"unit_id": unit.id, "unit": unit.name, "old": filing.old_phone,
                              "new": phone, "reason": filing.reason})
        return filing.id


def acknowledge_filing(actor: Actor, filing_id: int, version: int) -> None:
    """The office confirms it has received a unit's duty-phone filing."""
    with transaction() as s:
        require(actor, "duty_phone.acknowledge")
        filing = load_for_edit(s, DutyPhoneFiling, filing_id, version, "报备记录")
        if filing.acknowledged_at is not None:
            raise DomainError(f"该报备已于 {clock.fmt(filing.acknowledged_at)} 确认")
        filing.acknowledged_by_id, filing.acknowledged_at = actor.user_id, clock.now()
        audit.record(s, actor, "duty_phone.acknowledge", "duty_phone_filing", filing.id,
                     details={"unit_id": filing.unit_id, "new": filing.new_phone})
