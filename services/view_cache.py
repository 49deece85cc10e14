"""Read models computed once per state of the data, not once per page run.

Streamlit reruns a page's whole script on every click: opening a drill-down panel of the
compliance dashboard recomputed the month for every unit, typing a note in the log book
recompiled the shift's records. Here a read model is kept under its arguments and the data
version it was computed at, and computed again only when the data changed.

The data version is (this process's write generation, the audit chain's head):
- every committed write in this process that changed something (login-session
  bookkeeping aside) moves the generation on (the Session events below);
- every committed use case in any process (the other instance behind nginx) appends to the
  audit chain under the chain's lock, so the head (id, hash) moves when another process
  writes; the hash tells a restored database from the one it replaced.
A result that depends on the time too (clocks, overdue) takes the minute in its key.

Values are shared between sessions and threads: they must not be mutated (tuples, frozen
dataclasses). Permissions are checked by the service before it asks here.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models.audit import AuditEvent

T = TypeVar("T")

MAX_ENTRIES = 256
# Bookkeeping that changes no read model: a session's last activity.
_IGNORED_TABLES = frozenset({"login_session"})

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()
_generation = 0


def clear() -> None:
    """Forget every read model (a new database configured, tests)."""
    global _generation
    with _lock:
        _entries.clear()
        _generation += 1


def cached(s: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """compute() read in `s`, or the value computed for `key` at the same data version.
    The version is read before computing: a write committed meanwhile moves the version
    on, so what was computed is kept only under the older one."""
    full = (id(s.get_bind().engine), key, _generation, _head(s))
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _head(s: Session) -> tuple | None:
    head = s.execute(select(AuditEvent.id, AuditEvent.hash)
                     .order_by(AuditEvent.id.desc()).limit(1)).first()
    return tuple(head) if head else None


def _wrote(session: Session) -> None:
    session.info["view_cache_wrote"] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(o, "__tablename__", None) not in _IGNORED_TABLES for o in changed):
        _wrote(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    # insert()/update()/delete() statements bypass the unit of work.
    if (state.is_insert or state.is_update or state.is_delete) \
            and state.statement.table.name not in _IGNORED_TABLES:
        _wrote(state.session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    global _generation
    if session.info.pop("view_cache_wrote", False):
        with _lock:
            _generation += 1
            _entries.clear()   # nothing computed before this commit can be asked for again


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("view_cache_wrote", None)
