"""What the directory's services share: labels, loading a record for an edit, diffs."""
from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from services import clock
from services.errors import ConcurrentEditError, NotFound

UNIT_KIND_LABELS = {
    "street_office": "街道机关",
    "grassroots": "基层单位",
    "station": "二级站所",
    "department": "机关科室",
}
EMPLOYMENT_LABELS = {"permanent": "正式在编", "contract": "编外", "temporary": "临时"}
CONTACT_CATEGORY_LABELS = {
    "district_duty_office": "区政府办公室总值班室",
    "district_emergency_bureau": "区应急管理局",
    "unit": "单位",
    "other": "其他",
}
ACTIVE_LABELS = {True: "在用", False: "停用"}

M = TypeVar("M")


def today() -> date:
    """The office's calendar day (Asia/Shanghai), from the one clock."""
    return clock.local(clock.now()).date()


def load_for_edit(s: Session, model: type[M], record_id: int, version: int, what: str) -> M:
    """The record the page loaded, provided nobody saved it since (optimistic locking).

    The explicit comparison catches a form loaded long ago; the ORM version column
    catches two saves racing past it (StaleDataError → ConcurrentEditError in the UoW).
    """
    obj = s.get(model, record_id)
    if obj is None:
        raise NotFound(f"{what}不存在")
    if version is None or obj.version != version:
        raise ConcurrentEditError()
    return obj


def apply_changes(obj, values: dict) -> dict[str, list]:
    """Set the attributes that differ; return {field: [before, after]} for the audit."""
    changes = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            changes[name] = [old, new]
            setattr(obj, name, new)
    return changes
