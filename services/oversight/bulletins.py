"""Bulletins (通报) of the office's checks (第十七条).

Compiling takes every check of a period into a draft with the next number of the year
(柏办通〔2026〕N号); the draft's .docx is rendered on demand by
documents.official.render_bulletin. Publishing renders it once more, keeps those exact
bytes and is audited. Each unit whose checks a published bulletin carries sees it.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session, aliased, undefer

from documents.official import render_bulletin
from models.auth import User
from models.org import Unit
from models.oversight import Bulletin, BulletinInspection, Inspection
from services import audit, clock, view_cache
from services.errors import ConcurrentEditError, DomainError, NotFound, ValidationError
from services.paging import Paged, page_bounds
from services.oversight.common import BULLETIN_STATE_LABELS, window
from services.oversight.inspections import ARTICLE, InspectionRow, _row, inspection_rows
from services.permissions import Actor, can, require, scoped_unit
from services.uow import reading, transaction

NUMBER_PREFIX = "柏办通"
DEFAULT_TITLE = "关于{start}至{end}政务值班检查情况的通报"
PER_PAGE = 5          # bulletins per page: each carries a table of its checks


@dataclass(frozen=True)
class BulletinRow:
    id: int
    version: int
    number: str
    title: str
    period_start: date
    period_end: date
    intro: str
    state: str
    created_at: datetime
    published_at: datetime | None
    published_by_name: str | None
    checks: int                            # the checks it carries (a unit: its own only)
    failed: int                            # of which failed
    # Those checks, oldest first; None where not read (a closed panel of bulletin_page).
    results: tuple[InspectionRow, ...] | None

    @property
    def state_label(self) -> str:
        return BULLETIN_STATE_LABELS.get(self.state, self.state)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def next_number(s: Session, year: int) -> str:
    prefix = f"{NUMBER_PREFIX}〔{year}〕"
    taken = s.execute(select(Bulletin.number).where(Bulletin.number.like(f"{prefix}%"))).scalars()
    used = [int(m.group(1)) for n in taken if (m := re.search(r"〕(\d+)号$", n))]
    return f"{prefix}{max(used, default=0) + 1}号"


def compile_bulletin(actor: Actor, start: date, end: date, title: str = "", intro: str = "") -> int:
    """A draft bulletin of every check in the local days start..end; returns its id."""
    with transaction() as s:
        require(actor, "bulletin.write")
        problems = []
        if start is None or end is None:
            problems.append("通报期间：请选择起止日期")
        elif end < start:
            problems.append("通报期间：结束日期不能早于开始日期")
        if problems:
            raise ValidationError(problems)
        lo, hi = window(start, end)
        checks = list(s.execute(select(Inspection).where(Inspection.at >= lo, Inspection.at < hi)
                                .order_by(Inspection.at, Inspection.id)).scalars())
        if not checks:
            raise DomainError(f"通报期间：{_cn_date(start)}至{_cn_date(end)}没有检查记录，无可通报内容（{ARTICLE}）")
        now = clock.now()
        title = (title or "").strip() or DEFAULT_TITLE.format(start=_cn_date(start), end=_cn_date(end))
        passed = sum(1 for c in checks if c.passed)
        intro = (intro or "").strip() or (
            f"根据《柏泉街道办事处政务值班工作规范》第十七条，{_cn_date(start)}至{_cn_date(end)}，"
            f"党政办对{len({c.unit_id for c in checks})}个单位的政务值班情况进行了检查、抽查，"
            f"共检查{len(checks)}次，合格{passed}次，不合格{len(checks) - passed}次。现将有关情况通报如下。")
        b = Bulletin(number=next_number(s, clock.local(now).year), title=title[:200],
                     period_start=start, period_end=end, intro=intro, state="draft",
                     created_by_id=actor.user_id, created_at=now)
        b.inspections = [BulletinInspection(inspection_id=c.id, unit_id=c.unit_id) for c in checks]
        s.add(b)
        s.flush()
        audit.record(s, actor, "bulletin.compile", "bulletin", b.id,
                     details={"number": b.number, "checks": len(checks)})
        return b.id


def _results(s: Session, b: Bulletin, unit_id: int | None = None) -> list[InspectionRow]:
    ids = [link.inspection_id for link in b.inspections if unit_id is None or link.unit_id == unit_id]
    return inspection_rows(s, ids=ids)


def _content(b: Bulletin, results: list[InspectionRow]) -> dict:
    """The fields of documents.official.render_bulletin."""
    failed = [r for r in results if not r.passed]
    issued = b.published_at or clock.now()
    return {
        "title": b.title, "number": b.number, "intro": b.intro,
        "results": [{
            "unit": r.unit_name, "checked_at": clock.fmt(r.at, "%m-%d %H:%M"),
            "method": r.method_label, "answered": r.answered, "answer_seconds": r.answer_seconds,
            "staff": ("未查" if r.officer_present is None else
                      ("在岗" if r.officer_present else "不在岗")
                      + ("" if r.officer_permanent in (None, True) else "（非正式在编）")),
            "log_book": "未查" if r.log_book_complete is None else r.log_book_complete,
            "equipment": "未查" if r.equipment_ok is None else r.equipment_ok,
            "conclusion": "合格" if r.passed else "不合格",
        } for r in results],
        "problems": [f"{r.unit_name}（{clock.fmt(r.at, '%m月%d日%H:%M')}，{r.method_label}）："
                     + "；".join(r.problems + ([r.findings] if r.findings else [])) + "。"
                     for r in failed],
        "rectifications": [{"unit": r.unit_name,
                            "requirement": f"针对上述问题认真整改，整改情况报党政办（{ARTICLE}）",
                            "deadline": _cn_date(r.rectification_deadline) if r.rectification_deadline else ""}
                           for r in results if r.rectification_required],
        "closing": "请各单位严格落实24小时值班和领导带班制度，确保值班电话畅通、值班人员在岗在位。",
        "date": _cn_date(clock.local(issued).date()),
    }


def _get(s: Session, bulletin_id: int) -> Bulletin:
    b = s.get(Bulletin, bulletin_id)
    if b is None:
        raise NotFound("通报不存在")
    return b


def _require_read(s: Session, actor: Actor, b: Bulletin) -> int | None:
    """The unit the actor is limited to, after checking it may read this bulletin."""
    if can(actor, "bulletin.read"):
        return None
    unit_ids = {link.unit_id for link in b.inspections}
    if b.state != "published" or actor.unit_id not in unit_ids:
        require(actor, "bulletin.write")     # refused and audited
    require(actor, "bulletin.read", actor.unit_id)
    return actor.unit_id


def publish_bulletin(actor: Actor, bulletin_id: int, version: int) -> None:
    """Publish a draft: render it, keep the file, audit it (第十七条)."""
    with transaction() as s:
        require(actor, "bulletin.write")
        b = _get(s, bulletin_id)
        if b.version != version:
            raise ConcurrentEditError()
        if b.state != "draft":
            raise DomainError(f"通报{b.number}已发布，不能重复发布")
        now = clock.now()
        b.state, b.published_at, b.published_by_id = "published", now, actor.user_id
        b.docx = render_bulletin(_content(b, _results(s, b)))
        audit.record(s, actor, "bulletin.publish", "bulletin", b.id,
                     details={"number": b.number, "units": sorted({link.unit_id for link in b.inspections})})


def bulletin_docx(actor: Actor, bulletin_id: int) -> tuple[str, bytes]:
    """(file name, .docx): the published file as it was published, a draft rendered now."""
    with reading() as s:
        b = s.execute(select(Bulletin).where(Bulletin.id == bulletin_id)
                      .options(undefer(Bulletin.docx))).scalar_one_or_none()
        if b is None:
            raise NotFound("通报不存在")
        _require_read(s, actor, b)
        data = b.docx if b.state == "published" and b.docx else render_bulletin(_content(b, _results(s, b)))
        return f"{b.number}{b.title}.docx", data


def _results_by_bulletin(s: Session, bulletin_ids: Collection[int],
                         unit_id: int | None) -> dict[int, tuple[InspectionRow, ...]]:
    """The checks each of these bulletins carries (a unit: its own only), oldest first, in
    one query of plain columns joined through bulletin_inspection."""
    found: dict[int, list[InspectionRow]] = {i: [] for i in bulletin_ids}
    if found:
        params = {"bulletins": sorted(found)} | ({"unit": unit_id} if unit_id is not None else {})
        for r in s.connection().execute(_statements(unit_id is not None)[2], params):
            found[r.bulletin_id].append(_row(r, r.unit_name, r.inspector_name or ""))
    return {i: tuple(rows) for i, rows in found.items()}


def bulletin_rows(s: Session, bulletins: list[Bulletin], unit_id: int | None,
                  names: dict[int, str] | None = None,
                  opened: Collection[int] | None = None) -> list[BulletinRow]:
    """Rows of these bulletins (with the results a unit may see: `unit_id`) in at most three
    queries whatever their number: the publishers' names (unless given), each bulletin's
    counts, and the results of the bulletins `opened` (all unless given)."""
    if not bulletins:
        return []
    if names is None:
        names = dict(s.execute(select(User.id, User.display_name).where(
            User.id.in_([b.published_by_id for b in bulletins if b.published_by_id] or [-1]))).all())
    counts = select(BulletinInspection.bulletin_id, func.count(),
                    func.count(case((Inspection.passed.is_(False), 1)))) \
        .join(Inspection, Inspection.id == BulletinInspection.inspection_id) \
        .where(BulletinInspection.bulletin_id.in_([b.id for b in bulletins])) \
        .group_by(BulletinInspection.bulletin_id)
    if unit_id is not None:
        counts = counts.where(BulletinInspection.unit_id == unit_id)
    tally = {i: (n, bad) for i, n, bad in s.execute(counts)}
    results = _results_by_bulletin(s, [b.id for b in bulletins if opened is None or b.id in opened],
                                   unit_id)
    return [BulletinRow(b.id, b.version, b.number, b.title, b.period_start, b.period_end, b.intro,
                        b.state, b.created_at, b.published_at, names.get(b.published_by_id),
                        *tally.get(b.id, (0, 0)), results.get(b.id))
            for b in bulletins]


@lru_cache(maxsize=2)
def _statements(scoped: bool):
    """bulletin_page's statements, built once (building them, the entity and the counts'
    subqueries included, cost more than running them): the count of the visible bulletins;
    one page of them as columns with the publisher's name, the counts of their checks and
    that count (a subquery run once: no statement of its own); and the checks of some
    bulletins with their bulletin's id. Parameters :unit (scoped), :offset, :limit,
    :bulletins."""
    unit = bindparam("unit")
    scope, mine = (), ()
    if scoped:    # as _visible: the published bulletins concerning the unit, its checks only
        scope = (Bulletin.state == "published", Bulletin.id.in_(
            select(BulletinInspection.bulletin_id).where(BulletinInspection.unit_id == unit)))
        mine = (BulletinInspection.unit_id == unit,)
    shown = select(Bulletin.id).where(*scope).order_by(Bulletin.id.desc()) \
        .offset(bindparam("offset")).limit(bindparam("limit")).subquery()
    count = select(func.count()).select_from(Bulletin).where(*scope)
    # The page's counts in one aggregate over its bulletins' links (a subquery per bulletin
    # had PostgreSQL scan every check ever made once per bulletin, for `passed`).
    counts = (select(BulletinInspection.bulletin_id, func.count().label("checks"),
                     func.count(case((Inspection.passed.is_(False), 1))).label("failed"))
              .join(Inspection, Inspection.id == BulletinInspection.inspection_id)
              .where(BulletinInspection.bulletin_id.in_(select(shown.c.id)), *mine)
              .group_by(BulletinInspection.bulletin_id).subquery())
    publisher = aliased(User)
    page = (select(Bulletin.id, Bulletin.version, Bulletin.number, Bulletin.title,
                   Bulletin.period_start, Bulletin.period_end, Bulletin.intro, Bulletin.state,
                   Bulletin.created_at, Bulletin.published_at, publisher.display_name,
                   func.coalesce(counts.c.checks, 0), func.coalesce(counts.c.failed, 0),
                   count.scalar_subquery())
            .join(shown, shown.c.id == Bulletin.id)
            .outerjoin(publisher, publisher.id == Bulletin.published_by_id)
            .outerjoin(counts, counts.c.bulletin_id == Bulletin.id)
            .order_by(Bulletin.id.desc()))
    # The columns inspections._row reads (not when each was recorded, nor by whom rectified:
    # a datetime each row less to convert).
    row_columns = [c for c in Inspection.__table__.c
                   if c.name not in ("created_at", "rectified_by_id", "inspector_user_id")]
    checks = (select(*row_columns, BulletinInspection.bulletin_id,
                     Unit.name.label("unit_name"), User.display_name.label("inspector_name"))
              .join(BulletinInspection, BulletinInspection.inspection_id == Inspection.id)
              .join(Unit, Unit.id == Inspection.unit_id)
              .outerjoin(User, User.id == Inspection.inspector_user_id)
              .where(BulletinInspection.bulletin_id.in_(bindparam("bulletins", expanding=True)))
              .order_by(Inspection.at, Inspection.id))
    if scoped:
        checks = checks.where(BulletinInspection.unit_id == unit)
    return count, page, checks


def _visible(unit_id: int | None):
    """The bulletins the actor sees: all, or the published ones concerning its unit."""
    q = select(Bulletin)
    if unit_id is not None:
        q = q.where(Bulletin.state == "published", Bulletin.id.in_(
            select(BulletinInspection.bulletin_id).where(BulletinInspection.unit_id == unit_id)))
    return q


def list_bulletins(actor: Actor) -> list[BulletinRow]:
    """The office sees every bulletin; a duty role the published ones concerning its unit,
    with its own unit's results only. Newest first; bulletin_page reads one page of them."""
    with reading() as s:
        unit_id = scoped_unit(actor, "bulletin.read")
        bulletins = list(s.execute(_visible(unit_id).order_by(Bulletin.id.desc())).scalars())
        return bulletin_rows(s, bulletins, unit_id)


def bulletin_page(actor: Actor, page: int = 1, per_page: int = PER_PAGE,
                  opened: Collection[int] | None = None,
                  closed: Collection[int] = ()) -> Paged[BulletinRow]:
    """One page of list_bulletins, newest first: two queries however many there are.

    Every row carries its counts; its results only where its panel is open (`opened`, all
    unless given; the newest of the first page is open unless `closed`): the others are
    read when opened."""
    with reading() as s:
        unit_id = scoped_unit(actor, "bulletin.read")
        opened = None if opened is None else frozenset(opened)
        closed = frozenset(closed)
        return view_cache.cached(s, ("bulletin_page", unit_id, page, per_page, opened, closed),
                                 lambda: _bulletin_page(s, unit_id, page, per_page, opened, closed))


def _bulletin_page(s: Session, unit_id: int | None, page: int, per_page: int,
                   opened: frozenset[int] | None = None,
                   closed: frozenset[int] = frozenset()) -> Paged[BulletinRow]:
    """Two queries: the page with its counts and the total, the checks of its open panels.
    A page past the end (the list has shrunk) is counted, then read within range. Plain
    rows through the session's connection: these statements need no ORM execution."""
    count_q, page_q, _checks = _statements(unit_id is not None)
    scope = {"unit": unit_id} if unit_id is not None else {}
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    page = max(1, int(page or 1))
    conn = s.connection()
    found = conn.execute(page_q, scope | {"offset": (page - 1) * per_page, "limit": per_page}).all()
    if found:
        total = found[0][-1]
    elif page == 1:
        total = 0
    else:
        total = conn.execute(count_q, scope).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        found = conn.execute(page_q, scope | {"offset": offset, "limit": per_page}).all() if total else []
    if opened is not None and page == 1 and found and found[0][0] not in closed:
        opened = opened | {found[0][0]}
    results = _results_by_bulletin(s, [r[0] for r in found if opened is None or r[0] in opened],
                                   unit_id)
    return Paged([BulletinRow(*r[:-1], results.get(r[0])) for r in found], total, page, per_page)
