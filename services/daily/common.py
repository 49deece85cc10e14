"""What the daily-record services share. Nothing here opens a transaction."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.auth import User
from models.org import UNIT_KINDS, Person, Unit
from services.errors import ConcurrentEditError, DomainError, NotFound
from services.forms import aware, text_of  # noqa: F401  (re-exported to the area)



def load(s: Session, model, record_id: int, what: str, version: int | None = None, *,
         lock: bool = False):
    """The record (optionally the version the page loaded; `lock`: SELECT … FOR UPDATE)."""
    obj = s.get(model, record_id, with_for_update=lock or None, populate_existing=lock)
    if obj is None:
        raise NotFound(f"{what}不存在")
    if version is not None and obj.version != version:
        raise ConcurrentEditError()
    return obj


def user_names(s: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def person_names(s: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(Person.id, Person.name).where(Person.id.in_(wanted))).all())


def unit_names(s: Session, ids) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted))).all())


def unit_choices(s: Session, scope: int | None) -> dict[int, str]:
    """Active units (`scope`: only that one), street office first: id → name; one light query."""
    q = select(Unit.id, Unit.name, Unit.kind).where(Unit.active.is_(True))
    if scope is not None:
        q = q.where(Unit.id == scope)
    order = {k: i for i, k in enumerate(UNIT_KINDS)}
    return {uid: name for uid, name, _k in sorted(s.execute(q).all(),
                                                   key=lambda r: (order.get(r.kind, 99), r.name))}


def unit_of(s: Session, actor, unit_id: int | None) -> int:
    unit_id = unit_id if unit_id is not None else actor.unit_id
    if unit_id is None or s.get(Unit, unit_id) is None:
        raise DomainError("所属单位：请选择值班单位", field="unit_id")
    return unit_id
