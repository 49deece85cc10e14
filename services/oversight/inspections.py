"""Inspections and spot checks of units' duty by the office (检查、抽查/查岗, 第十七条).

A check records how it was made (phone call to the duty phone, on site, by video), whether
the duty room answered and how fast, whether the officer was present and permanent staff
(第九条), the log book (第十三条) and the equipment (第二十三条). `passed` is derived from
these facts. A failed check requires rectification with a deadline, followed to done.

The spot-check list picks N active units at random, weighted by how long since each was
last checked, and gives the duty phone numbers to call.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select

from models.auth import User
from models.org import Unit
from models.oversight import INSPECTION_METHODS, Inspection
from services import audit, clock
from services.paging import Paged, page_bounds
from services.errors import ConcurrentEditError, DomainError, NotFound, ValidationError
from services.oversight.common import METHOD_LABELS, today, window, yes_no
from services.permissions import Actor, require
from services.uow import reading, transaction

ARTICLE = "第十七条"
MAX_ANSWER_SECONDS = 3600
NEVER_CHECKED_DAYS = 400     # weight of a unit never checked: longer than any real gap
MAX_SPOT_CHECKS = 50
PER_PAGE = 20                # open rectifications per page


@dataclass(frozen=True)
class InspectionInput:
    unit_id: int | None
    at: datetime | None
    method: str | None
    answered: bool | None
    answer_seconds: int | None = None
    officer_present: bool | None = None
    officer_permanent: bool | None = None
    log_book_complete: bool | None = None
    equipment_ok: bool | None = None
    findings: str = ""
    rectification_required: bool = False
    rectification_deadline: date | None = None


@dataclass(frozen=True)
class InspectionRow:
    id: int
    version: int
    unit_id: int
    unit_name: str
    at: datetime
    method: str
    phone_called: str | None
    answered: bool
    answer_seconds: int | None
    officer_present: bool | None
    officer_permanent: bool | None
    log_book_complete: bool | None
    equipment_ok: bool | None
    findings: str
    passed: bool
    rectification_required: bool
    rectification_deadline: date | None
    rectified_at: datetime | None
    rectification_note: str | None
    inspector_name: str

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def answered_text(self) -> str:
        if not self.answered:
            return "未接听"
        return f"{self.answer_seconds}秒接听" if self.answer_seconds is not None else "接听"

    @property
    def rectification_open(self) -> bool:
        return self.rectification_required and self.rectified_at is None

    @property
    def rectification_overdue(self) -> bool:
        return (self.rectification_open and self.rectification_deadline is not None
                and self.rectification_deadline < today())

    @property
    def rectification_status(self) -> str:
        if not self.rectification_required:
            return "无需整改"
        if self.rectified_at is not None:
            return "已整改"
        return "逾期未整改" if self.rectification_overdue else "整改中"

    @property
    def problems(self) -> list[str]:
        """What was wrong, in words for the bulletin (第十七条)."""
        out = []
        if not self.answered:
            out.append("值班电话无人接听")
        if self.officer_present is False:
            out.append("值班人员不在岗")
        if self.officer_permanent is False:
            out.append("值班人员非正式在编人员（第九条）")
        if self.log_book_complete is False:
            out.append("值班记录不完整（第十三条）")
        if self.equipment_ok is False:
            out.append("值班设备运行不正常（第二十三条）")
        return out

    def as_dict(self) -> dict:
        return {"编号": self.id, "单位": self.unit_name, "检查时间": clock.fmt(self.at),
                "方式": self.method_label, "接听情况": self.answered_text,
                "在岗": yes_no(self.officer_present, "在岗", "不在岗"),
                "正式在编": yes_no(self.officer_permanent, "是", "否"),
                "值班记录": yes_no(self.log_book_complete, "完整", "不完整"),
                "设备": yes_no(self.equipment_ok, "正常", "故障"),
                "结论": "合格" if self.passed else "不合格", "发现问题": self.findings,
                "整改期限": self.rectification_deadline.isoformat() if self.rectification_deadline else "",
                "整改情况": self.rectification_status, "检查人": self.inspector_name}


@dataclass(frozen=True)
class SpotCheckRow:
    unit_id: int
    unit_name: str
    duty_phone: str | None
    last_checked_at: datetime | None
    days_since: int | None       # None: never checked

    def as_dict(self) -> dict:
        return {"单位": self.unit_name, "值班电话": self.duty_phone or "未登记",
                "上次检查": clock.fmt(self.last_checked_at) if self.last_checked_at else "从未检查",
                "距今天数": "" if self.days_since is None else self.days_since}


# ---------------------------------------------------------------- rows

def derive_passed(data: InspectionInput) -> bool:
    """Answered, officer present and permanent; log book and equipment not found wanting."""
    return bool(data.answered and data.officer_present is True and data.officer_permanent is True
                and data.log_book_complete is not False and data.equipment_ok is not False)


def _row(ins: Inspection, unit_name: str, inspector: str) -> InspectionRow:
    return InspectionRow(
        ins.id, ins.version, ins.unit_id, unit_name, ins.at, ins.method, ins.phone_called,
        bool(ins.answered), ins.answer_seconds, ins.officer_present, ins.officer_permanent,
        ins.log_book_complete, ins.equipment_ok, ins.findings or "", bool(ins.passed),
        bool(ins.rectification_required), ins.rectification_deadline, ins.rectified_at,
        ins.rectification_note, inspector)


def _filtered(q, *, start: date | None = None, end: date | None = None,
              unit_id: int | None = None, ids: list[int] | None = None, only_open: bool = False):
    if start is not None and end is not None:
        lo, hi = window(start, end)
        q = q.where(Inspection.at >= lo, Inspection.at < hi)
    if unit_id is not None:
        q = q.where(Inspection.unit_id == unit_id)
    if ids is not None:
        q = q.where(Inspection.id.in_(ids or [-1]))
    if only_open:
        q = q.where(Inspection.rectification_required.is_(True), Inspection.rectified_at.is_(None))
    return q


def inspection_rows(s, *, offset: int = 0, limit: int | None = None, **filters) -> list[InspectionRow]:
    """Checks in time order (oldest first), filtered as _filtered says, with the unit's and
    the inspector's names."""
    q = _filtered(select(Inspection, Unit.name, User.display_name)
                  .join(Unit, Unit.id == Inspection.unit_id)
                  .outerjoin(User, User.id == Inspection.inspector_user_id), **filters)
    q = q.order_by(Inspection.at, Inspection.id)
    if offset or limit is not None:
        q = q.offset(offset).limit(limit)
    rows = s.execute(q).all()
    return [_row(ins, name, inspector or "") for ins, name, inspector in rows]


# ---------------------------------------------------------------- checking a record

def _problems(s, data: InspectionInput, now: datetime) -> tuple[list[str], Unit | None]:
    problems: list[str] = []
    unit = s.get(Unit, data.unit_id) if data.unit_id is not None else None
    if data.unit_id is None:
        problems.append(f"被检查单位：请选择（{ARTICLE}）")
    elif unit is None or not unit.active:
        problems.append(f"被检查单位：不存在或已停用（{ARTICLE}）")
    if data.at is None:
        problems.append(f"检查时间：不能为空（{ARTICLE}）")
    elif data.at > now:
        problems.append(f"检查时间：不能晚于当前时间（{ARTICLE}）")
    if data.method not in INSPECTION_METHODS:
        problems.append("检查方式：应为" + "、".join(METHOD_LABELS.values()) + f"之一（{ARTICLE}）")
    if data.answered is None:
        problems.append(f"是否接听/应答：请选择（{ARTICLE}）")
    if data.answered:
        if data.method in ("phone", "video") and data.answer_seconds is None:
            problems.append(f"接听用时（秒）：电话或视频抽查接通的，须填写接听用时（{ARTICLE}）")
        if data.answer_seconds is not None and not 0 <= int(data.answer_seconds) <= MAX_ANSWER_SECONDS:
            problems.append(f"接听用时（秒）：应在0–{MAX_ANSWER_SECONDS}之间")
        for value, label in ((data.officer_present, "值班人员是否在岗"),
                             (data.officer_permanent, "是否正式在编人员值班")):
            if value is None:
                problems.append(f"{label}：请选择（{ARTICLE}）")
        if data.method == "on_site":
            for value, label in ((data.log_book_complete, "值班记录是否完整"),
                                 (data.equipment_ok, "设备是否正常")):
                if value is None:
                    problems.append(f"{label}：实地检查须查看并填写（{ARTICLE}）")
    elif data.answered is False and data.answer_seconds is not None:
        problems.append("接听用时（秒）：未接听的不填接听用时")
    passed = derive_passed(data)
    if data.answered is not None and not passed:
        if not (data.findings or "").strip():
            problems.append(f"发现的问题：检查不合格的，须写明发现的问题（{ARTICLE}）")
        if not data.rectification_required:
            problems.append(f"整改要求：检查不合格的，须提出整改要求（{ARTICLE}）")
    if data.rectification_required:
        if data.rectification_deadline is None:
            problems.append(f"整改期限：要求整改的，须设定整改期限（{ARTICLE}）")
        elif data.at is not None and data.rectification_deadline < clock.local(data.at).date():
            problems.append("整改期限：不能早于检查日期")
    return problems, unit


def record_inspection(actor: Actor, data: InspectionInput) -> int:
    """Record one check of a unit (第十七条); returns its id."""
    if data.at is not None and data.at.tzinfo is None:   # a form's Beijing wall-clock time
        data = replace(data, at=data.at.replace(tzinfo=clock.SHANGHAI))
    with transaction() as s:
        require(actor, "inspection.write")
        now = clock.now()
        problems, unit = _problems(s, data, now)
        if problems:
            raise ValidationError(problems)
        passed = derive_passed(data)
        ins = Inspection(
            unit_id=unit.id, at=data.at, method=data.method,
            phone_called=unit.duty_phone if data.method == "phone" else None,
            answered=bool(data.answered),
            answer_seconds=int(data.answer_seconds) if data.answered and data.answer_seconds is not None else None,
            officer_present=data.officer_present if data.answered else None,
            officer_permanent=data.officer_permanent if data.answered else None,
            log_book_complete=data.log_book_complete if data.answered else None,
            equipment_ok=data.equipment_ok if data.answered else None,
            findings=(data.findings or "").strip(), passed=passed,
            rectification_required=bool(data.rectification_required),
            rectification_deadline=data.rectification_deadline if data.rectification_required else None,
            inspector_user_id=actor.user_id, created_at=now)
        s.add(ins)
        s.flush()
        audit.record(s, actor, "inspection.record", "inspection", ins.id,
                     details={"unit_id": unit.id, "method": data.method, "passed": passed})
        return ins.id


def complete_rectification(actor: Actor, inspection_id: int, version: int, note: str,
                           rectified_at: datetime | None = None) -> None:
    """Record that the unit has rectified what the check found (第十七条)."""
    with transaction() as s:
        require(actor, "inspection.write")
        ins = s.get(Inspection, inspection_id)
        if ins is None:
            raise NotFound("检查记录不存在")
        if ins.version != version:
            raise ConcurrentEditError()
        if not ins.rectification_required:
            raise DomainError("该检查未要求整改")
        if ins.rectified_at is not None:
            raise DomainError("该检查的整改已记录完成")
        now = clock.now()
        when = rectified_at or now
        problems = []
        if not (note or "").strip():
            problems.append(f"整改情况：须写明整改措施和结果（{ARTICLE}）")
        if when > now:
            problems.append("整改完成时间：不能晚于当前时间")
        elif when < ins.at:
            problems.append("整改完成时间：不能早于检查时间")
        if problems:
            raise ValidationError(problems)
        ins.rectified_at = when
        ins.rectification_note = note.strip()
        ins.rectified_by_id = actor.user_id
        late = ins.rectification_deadline is not None and clock.local(when).date() > ins.rectification_deadline
        audit.record(s, actor, "inspection.rectified", "inspection", ins.id,
                     details={"late": late})


def list_inspections(actor: Actor, start: date | None = None, end: date | None = None,
                     unit_id: int | None = None, only_open: bool = False) -> list[InspectionRow]:
    with reading() as s:
        require(actor, "inspection.read")
        return inspection_rows(s, start=start, end=end, unit_id=unit_id, only_open=only_open)


def rectification_page(actor: Actor, page: int = 1, per_page: int = PER_PAGE) -> Paged[InspectionRow]:
    """One page of the checks whose rectification is still open, oldest first: two queries."""
    with reading() as s:
        require(actor, "inspection.read")
        total = s.execute(_filtered(select(func.count()).select_from(Inspection), only_open=True)).scalar_one()
        page, offset = page_bounds(page, per_page, total)
        return Paged(inspection_rows(s, only_open=True, offset=offset, limit=per_page), total, page, per_page)


# ---------------------------------------------------------------- the spot-check list

def last_checks(s) -> dict[int, datetime]:
    return dict(s.execute(select(Inspection.unit_id, func.max(Inspection.at))
                          .group_by(Inspection.unit_id)).all())


def spot_check_list(actor: Actor, n: int, seed: int | None = None,
                    include_office: bool = False) -> list[SpotCheckRow]:
    """N active units drawn at random without replacement, each weighted by the days since
    its last check (never checked: NEVER_CHECKED_DAYS), with the duty phone to call.

    The same seed over the same data gives the same list (weighted sampling by
    Efraimidis–Spirakis keys u^(1/w) over units in id order). The street office itself is
    left out unless `include_office`.
    """
    if not 1 <= int(n) <= MAX_SPOT_CHECKS:
        raise DomainError(f"抽查单位数：应在1–{MAX_SPOT_CHECKS}之间", field="n")
    with reading() as s:
        require(actor, "inspection.read")
        q = select(Unit).where(Unit.active.is_(True)).order_by(Unit.id)
        if not include_office:
            q = q.where(Unit.kind != "street_office")
        units = list(s.execute(q).scalars())
        last = last_checks(s)
    now = clock.now()
    rng = random.Random(seed)  # noqa: S311 - a reproducible spot-check draw, not a secret
    keyed = []
    for u in units:
        at = last.get(u.id)
        days = None if at is None else max(0, (clock.local(now).date() - clock.local(at).date()).days)
        weight = NEVER_CHECKED_DAYS if days is None else min(days, NEVER_CHECKED_DAYS - 1) + 1
        key = math.log(rng.random() or 1e-300) / weight     # log(u^(1/w)), larger is picked
        keyed.append((key, SpotCheckRow(u.id, u.name, u.duty_phone, at, days)))
    keyed.sort(key=lambda kv: kv[0], reverse=True)
    return [row for _key, row in keyed[:int(n)]]
