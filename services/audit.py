"""Appending to the hash-chained audit trail, and verifying the chain."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from services import clock, view_cache
from services.paging import Paged, page_bounds
from services.permissions import Actor, require
from services.uow import reading, transaction

GENESIS = "0" * 64


def _jsonable(details: dict | None) -> dict:
    return json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))


def content_hash(prev_hash: str, at: datetime, user_id, username, role, client_ip, action,
                 object_type, object_id, outcome, details: dict) -> str:
    canonical = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), user_id, username, role, client_ip,
         action, object_type, object_id, outcome, details],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    # Two writers must not both extend the same last row. SQLite writers already hold
    # the database lock (BEGIN IMMEDIATE); PostgreSQL needs an explicit lock.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727001)"))


def record(session: Session, actor: Actor | None, action: str, object_type: str | None = None,
           object_id=None, outcome: str = "success", details: dict | None = None,
           username: str | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction."""
    _lock_chain(session)
    prev = session.execute(
        select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none() or GENESIS
    at = clock.now()
    fields = dict(
        at=at,
        user_id=actor.user_id if actor else None,
        username=username or (actor.username if actor else None),
        role=actor.role_text if actor else None,
        client_ip=actor.client_ip if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        outcome=outcome,
        details=_jsonable(details),
    )
    event = AuditEvent(**fields, prev_hash=prev, hash=content_hash(prev, **fields))
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    rows: int
    broken_id: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in id order; report the first row whose hash or link is wrong."""
    prev = GENESIS
    count = 0
    rows: Iterator[AuditEvent] = session.execute(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=2000)
    ).scalars()
    for ev in rows:
        count += 1
        if ev.prev_hash != prev:
            return ChainReport(count, ev.id, "链接断裂：上一条哈希不符（可能有记录被删除或插入）")
        expected = content_hash(prev, ev.at, ev.user_id, ev.username, ev.role, ev.client_ip,
                                ev.action, ev.object_type, ev.object_id, ev.outcome, ev.details)
        if ev.hash != expected:
            return ChainReport(count, ev.id, "内容被篡改：哈希与内容不符")
        prev = ev.hash
    return ChainReport(count, None, None)


# ---------------------------------------------------------------- reading the trail

@dataclass(frozen=True)
class AuditFilter:
    start: datetime | None = None
    end: datetime | None = None
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""


def _filtered(f: AuditFilter):
    q = select(AuditEvent)
    if f.start:
        q = q.where(AuditEvent.at >= f.start)
    if f.end:
        q = q.where(AuditEvent.at < f.end)
    if f.username.strip():
        q = q.where(AuditEvent.username == f.username.strip().lower())
    if f.action.strip():
        q = q.where(AuditEvent.action.like(f"{f.action.strip()}%"))
    if f.object_type.strip():
        q = q.where(AuditEvent.object_type == f.object_type.strip())
    if f.object_id.strip():
        q = q.where(AuditEvent.object_id == f.object_id.strip())
    return q


def search_page(actor: Actor, f: AuditFilter, page: int = 1, per_page: int = 100) -> Paged[dict]:
    """One page of the matching events, newest first, and how many match (审计日志);
    counted again only when the trail has grown."""
    with reading() as s:
        require(actor, "audit.read")
        return view_cache.cached(s, ("audit.search_page", f, page, per_page),
                                 lambda: _search_page(s, f, page, per_page))


def _search_page(s: Session, f: AuditFilter, page: int, per_page: int) -> Paged[dict]:
    """The page's ids are chosen first, from the index on the time alone (it holds the id:
    no row is read to sort a week's events by id), then only those rows are read; sorting
    the week's whole rows to keep a hundred took most of the page's time on a long trail."""
    total = s.execute(select(func.count()).select_from(
        _filtered(f).with_only_columns(AuditEvent.id).subquery())).scalar_one()
    page, offset = page_bounds(page, per_page, total)
    if not total:
        return Paged([], total, page, per_page)
    ids = _filtered(f).with_only_columns(AuditEvent.id).order_by(AuditEvent.id.desc()) \
        .offset(offset).limit(per_page)
    rows = s.execute(select(*_SHOWN).where(AuditEvent.id.in_(ids.scalar_subquery()))
                     .order_by(AuditEvent.id.desc())).all()
    return Paged([_row(ev) for ev in rows], total, page, per_page)


# What a row shows, read as columns: a page of rows, not a hundred objects for the session.
_SHOWN = (AuditEvent.id, AuditEvent.at, AuditEvent.username, AuditEvent.role, AuditEvent.client_ip,
          AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.outcome,
          AuditEvent.details)


def _row(ev) -> dict:
    """An event (or a row of its _SHOWN columns) as the page and the export show it."""
    return {"序号": ev.id, "时间": clock.fmt(ev.at, "%Y-%m-%d %H:%M:%S"), "用户": ev.username or "",
            "角色": ev.role or "", "IP": ev.client_ip or "", "操作": ev.action,
            "对象": ev.object_type or "", "对象编号": ev.object_id or "", "结果": ev.outcome,
            "详情": json.dumps(ev.details, ensure_ascii=False) if ev.details else ""}


def export_csv(actor: Actor, f: AuditFilter) -> bytes:
    """All matching events as UTF-8 CSV with BOM (opens correctly in Excel); the export is audited."""
    out = io.StringIO()
    with reading() as s:
        require(actor, "audit.export")
        writer = None
        count = 0
        rows = s.execute(_filtered(f).order_by(AuditEvent.id)
                         .execution_options(yield_per=2000)).scalars()
        for ev in rows:
            row = _row(ev)
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
            count += 1
    with transaction() as s:
        record(s, actor, "audit.export", details={"rows": count, "filter": f.__dict__})
    return ("\ufeff" + out.getvalue()).encode("utf-8")
