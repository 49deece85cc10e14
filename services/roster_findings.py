"""Keeps models.oversight.RosterFindingMonth honest: every write that can change a unit's
roster findings (第二、九、十条) marks that unit's months stale in its own transaction.

The roster rules look at a unit's own shifts (times, roster, leader, number of officers)
and rosters, the special periods and the holiday table, never at people or at a shift's
live state. So a check-in, a handover or a new call marks nothing; moving a shift, changing
its leader or officers, publishing or deleting a roster marks the unit's month of it and
the months on either side (the rules look a few days across a month's edges). Special
periods and holidays move the basis every stored month was computed under instead
(services/oversight/compliance reads their data_version tokens).

Marking is an upsert that moves the row's version and empties its findings. A reader that
computed findings stores them only under the version it saw before reading the facts
(UPDATE ... WHERE version = seen, or INSERT ... ON CONFLICT DO NOTHING for a month no write
has marked yet), so a write committed meanwhile is never overwritten by older findings.
"""
from __future__ import annotations

from itertools import product

from sqlalchemy import event, inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.oversight import RosterFindingMonth
from models.roster import Roster, Shift, ShiftOfficer
from rules.staffing import local_day

_SHIFT_FACTS = ("starts_at", "ends_at", "unit_id", "roster_id", "leader_person_id")
_ROSTER_FACTS = ("unit_id", "year", "month", "status")


def _around(year: int, month: int) -> list[tuple[int, int]]:
    """The month and its two neighbours."""
    n = year * 12 + month - 1
    return [(m // 12, m % 12 + 1) for m in (n - 1, n, n + 1)]


def _values(obj, attr: str) -> list:
    """The attribute's value now and, if changed in this flush, before."""
    hist = inspect(obj).attrs[attr].history
    return [v for v in (*hist.added, *hist.unchanged, *hist.deleted) if v is not None]


def _changed(obj, attrs: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attrs)


def _shift_months(shift: Shift) -> set[tuple[int, int, int]]:
    out = set()
    for unit_id in _values(shift, "unit_id"):
        for moment in (*_values(shift, "starts_at"), *_values(shift, "ends_at")):
            day = local_day(moment)
            out |= {(unit_id, y, m) for y, m in _around(day.year, day.month)}
    return out


def _marks(session: Session) -> set[tuple[int, int, int]]:
    out: set[tuple[int, int, int]] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        changed_or_gone = obj in session.new or obj in session.deleted
        if isinstance(obj, Shift) and (changed_or_gone or _changed(obj, _SHIFT_FACTS)):
            out |= _shift_months(obj)
        elif isinstance(obj, ShiftOfficer):
            with session.no_autoflush:
                shift = session.get(Shift, obj.shift_id) if obj.shift_id is not None else None
            if shift is not None:
                out |= _shift_months(shift)
        elif isinstance(obj, Roster) and (changed_or_gone or _changed(obj, _ROSTER_FACTS)):
            for unit_id in _values(obj, "unit_id"):
                for year, month in product(_values(obj, "year"), _values(obj, "month")):
                    out |= {(unit_id, y, m) for y, m in _around(year, month)}
    return out


@event.listens_for(Session, "after_flush")
def _mark_stale(session: Session, _flush_context) -> None:
    keys = _marks(session)
    if not keys:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RosterFindingMonth).values(
        [{"unit_id": u, "year": y, "month": m, "version": 1, "basis": None, "findings": None}
         for u, y, m in sorted(keys)])   # in key order: two writers lock rows in one order
    session.execute(stmt.on_conflict_do_update(
        index_elements=["unit_id", "year", "month"],
        set_={"version": RosterFindingMonth.version + 1, "findings": None}))
