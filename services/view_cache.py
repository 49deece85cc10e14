"""Read models computed once per state of the data they read, not once per page run.

Streamlit reruns a page's whole script on every click: opening a drill-down panel of the
compliance dashboard recomputed the month for every unit, typing a note in the log book
recompiled the shift's records. Here a read model is kept under its arguments, with the
tables its computation read, and computed again only when one of those tables changed:
a call logged elsewhere leaves the compliance dashboard as it is, a check-in does not.

Each table's state is a token in `data_version` (models/data_version.py), replaced in the
same transaction as every write to the table that goes through a Session — by this process
or another (the other instance behind nginx) — so the tokens a computation started from
tell whether its result still holds. Tables a write can change without naming them (rows
deleted by ON DELETE CASCADE or SET NULL) are moved with it. Writes on a bare connection,
outside a Session (bench/generate.py's bulk loads), move no token; a restored backup brings
its own tokens with its data.

The tables read are taken from the SQL each computation sends (any session of this
thread), so joins, subqueries and eager loads are all counted, and from the objects its
session holds (loaded before the computation, used without SQL). A result that depends on
the time too (clocks, overdue) takes the minute in its key. A computation that wrote, or
that read a table whose writes move no token, is returned but not kept.

Values are shared between sessions and threads: they must not be mutated (tuples, frozen
dataclasses). Permissions are checked by the service before it asks here.
"""
from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from models import Base
from models.data_version import DataVersion

T = TypeVar("T")

MAX_ENTRIES = 256
# Bookkeeping rewritten on every page run (a session's last activity): its writes move no
# token, so nothing that reads it is kept.
_UNTRACKED = frozenset({"login_session"})
_VERSIONS = DataVersion.__tablename__
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")

_lock = threading.Lock()
# (engine, key) → (((table, token), ...) the computation started from, value)
_entries: OrderedDict[Hashable, tuple[tuple[tuple[str, str | None], ...], object]] = OrderedDict()
_local = threading.local()


class _Computation:
    """What one computation running in this thread has read and whether it wrote."""

    def __init__(self, session: Session, tokens: dict[str, str]) -> None:
        self.session, self.tokens = session, tokens
        self.read: set[str] = set()
        self.wrote = False


def _running() -> list[_Computation]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


def clear() -> None:
    """Forget every read model (a new database configured, tests)."""
    with _lock:
        _entries.clear()


def cached(s: Session, key: Hashable, compute: Callable[[], T]) -> T:
    """compute(), or the value computed for `key` while the tables it read are as they were.
    The tokens are read before computing: a write committed meanwhile replaces its tables'
    tokens, so what was computed is kept only under the older ones. A read model computed
    inside another on the same session takes the enclosing one's tokens (read earlier still)."""
    stack = _running()
    tokens = data_versions(s)
    full = (id(s.get_bind().engine), key)
    with _lock:
        entry = _entries.get(full)
        if entry is not None and all(tokens.get(t) == token for t, token in entry[0]):
            _entries.move_to_end(full)
            _note_reads(t for t, _token in entry[0])   # an enclosing computation read them too
            return entry[1]  # type: ignore[return-value]
    this = _Computation(s, tokens)
    stack.append(this)
    try:
        value = compute()
    finally:
        stack.pop()
    # What the session already held is used without SQL: its tables count as read.
    held = _tables_of_classes(frozenset(type(o) for o in s.identity_map.values()))
    this.read |= held
    _note_reads(held)
    if this.wrote or this.read & _UNTRACKED or s.new or s.dirty or s.deleted \
            or s.info.get("view_cache_written"):
        return value
    with _lock:
        _entries[full] = (tuple(sorted((t, tokens.get(t)) for t in this.read)), value)
        _entries.move_to_end(full)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def _tokens(s: Session) -> dict[str, str]:
    return dict(s.execute(select(DataVersion.table_name, DataVersion.token)).all())


def data_versions(s: Session) -> dict[str, str]:
    """Each table's data version, as the computation running on `s` started from (read
    before anything it computes from), or read now."""
    enclosing = next((c for c in reversed(_running()) if c.session is s), None)
    return enclosing.tokens if enclosing is not None else _tokens(s)


def _note_reads(tables: Iterable[str]) -> None:
    tables = set(tables)
    for c in _running():
        c.read |= tables


# ---------------------------------------------------------------- what is read

@lru_cache(maxsize=4096)
def _tables_in(sql: str) -> frozenset[str]:
    """The application's tables a statement names (every word that is a table's name:
    qualified columns name their table too, so a column that happens to share a table's
    name only ever adds a table)."""
    return frozenset(w.lower() for w in _WORD.findall(sql)) & _table_names()


@lru_cache(maxsize=1024)
def _tables_of_classes(classes: frozenset[type]) -> frozenset[str]:
    return frozenset(t.name for c in classes for t in inspect(c).tables)


@lru_cache(maxsize=1)
def _table_names() -> frozenset[str]:
    return frozenset(Base.metadata.tables) - {_VERSIONS}


@event.listens_for(Engine, "before_cursor_execute")
def _on_statement(_conn, _cursor, statement, _params, _context, _many) -> None:
    stack = getattr(_local, "stack", None)
    if not stack:
        return
    verb = _FIRST_WORD.match(statement)
    verb = verb.group(1).upper() if verb else ""
    if verb in ("SELECT", "WITH", "VALUES"):
        tables = _tables_in(statement)
        for c in stack:
            c.read |= tables
    elif verb in ("INSERT", "UPDATE", "DELETE"):
        for c in stack:
            c.wrote = True


# ---------------------------------------------------------------- what is written

def _written(session: Session) -> set[str]:
    return session.info.setdefault("view_cache_written", set())


def has_written(session: Session) -> bool:
    """Whether the session's transaction has written anything so far (flushed objects or
    insert/update/delete statements): what a read must not commit."""
    return bool(session.info.get("view_cache_written")) or bool(
        session.new or session.dirty or session.deleted)


@lru_cache(maxsize=256)
def _tables_written_with(cls: type) -> frozenset[str]:
    """An object's tables and, for a collection changed on it, its association tables."""
    mapper = inspect(cls)
    return frozenset(t.name for t in mapper.tables) | frozenset(
        r.secondary.name for r in mapper.relationships if r.secondary is not None)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush_context) -> None:
    written = _written(session)
    for cls in {type(o) for o in (*session.new, *session.dirty, *session.deleted)}:
        written |= _tables_written_with(cls)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    # insert()/update()/delete() statements bypass the unit of work.
    if (state.is_insert or state.is_update or state.is_delete) \
            and state.statement.table.name != _VERSIONS:
        _written(state.session).add(state.statement.table.name)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    session.flush()    # commit flushes after this event: what it would write is counted now
    written = session.info.pop("view_cache_written", set())
    tables = sorted(_with_cascades(frozenset(written)) - _UNTRACKED - {_VERSIONS})
    if not tables:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"table_name": t, "token": secrets.token_hex(16)} for t in tables]
    stmt = insert(DataVersion).values(rows)
    # In name order: two writers lock the same rows in the same order.
    session.execute(stmt.on_conflict_do_update(index_elements=["table_name"],
                                               set_={"token": stmt.excluded.token}))


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _after_end(session: Session) -> None:
    session.info.pop("view_cache_written", None)


@lru_cache(maxsize=256)
def _with_cascades(tables: frozenset[str]) -> frozenset[str]:
    """`tables` and every table whose rows the database changes when theirs are deleted."""
    out, todo = set(tables), list(tables)
    while todo:
        parent = todo.pop()
        for child in Base.metadata.tables.values():
            if child.name not in out and any(
                    fk.column.table.name == parent and (fk.ondelete or "").upper() in ("CASCADE", "SET NULL")
                    for fk in child.foreign_keys):
                out.add(child.name)
                todo.append(child.name)
    return frozenset(out)
