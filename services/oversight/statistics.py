"""Statistics for the office and shift leaders: incidents by category, level and month; the
on-time rate of reports against their deadlines (第二十一条); calls per day and instructions
fed back on time (第八条) where the calls feature (models/daily.py) is installed.

Counted in the database, one grouped query per table, so a page reads a few dozen rows
however many records the period holds; local days and months are common.local_day /
local_month (SQLite and PostgreSQL differ in time-zone arithmetic).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, inspect, select

from models.incident import DeadlineRecord, Incident
from rules.deadlines import CATEGORY_LABELS, LEVEL_LABELS
from services import clock, view_cache
from services.errors import ValidationError
from services.oversight.common import local_day, local_month, window
from services.permissions import Actor, require
from services.uow import reading

try:  # issue 5's calls, instructions and log book; optional
    from models import daily as _daily
except ImportError:  # pragma: no cover - depends on what is installed
    _daily = None

MAX_DAYS = 366


@dataclass
class Statistics:
    by_category: list[dict] = field(default_factory=list)
    by_level: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)
    on_time: list[dict] = field(default_factory=list)       # per deadline kind + total
    calls_per_day: list[dict] | None = None                 # None: calls not installed
    instructions: list[dict] | None = None                  # None: instructions not installed

    def tables(self) -> dict[str, list[dict]]:
        out = {"按类别": self.by_category, "按等级": self.by_level, "按月份": self.by_month,
               "报告及时率": self.on_time}
        if self.calls_per_day is not None:
            out["每日来电"] = self.calls_per_day
        if self.instructions is not None:
            out["批示反馈"] = self.instructions
        return out


def _rate(on_time: int, total: int) -> str:
    return f"{on_time / total:.1%}" if total else "—"


def _has(s, table: str) -> bool:
    return inspect(s.connection()).has_table(table)


def statistics(actor: Actor, start: date, end: date) -> Statistics:
    if start is None or end is None or end < start:
        raise ValidationError(["统计期间：结束日期不能早于开始日期"])
    if (end - start).days >= MAX_DAYS:
        raise ValidationError([f"统计期间：不能超过{MAX_DAYS}天"])
    with reading() as s:
        require(actor, "statistics.read")
        # The same for every reader; what is overdue moves with the minute.
        minute = clock.now().replace(second=0, microsecond=0)
        return view_cache.cached(s, ("statistics", start, end, minute),
                                 lambda: _statistics(s, start, end))


def _statistics(s, start: date, end: date) -> Statistics:
    lo, hi = window(start, end)
    now = clock.now()
    out = Statistics()
    cats, levels, months = Counter(), Counter(), Counter()
    month = local_month(Incident.occurred_at).label("month")
    for category, level, key, n in s.execute(
            select(Incident.category, Incident.level, month, func.count())
            .where(Incident.occurred_at >= lo, Incident.occurred_at < hi)
            .group_by(Incident.category, Incident.level, "month")).all():
        cats[category] += n
        levels[level] += n
        months[key] += n
    out.by_category = [{"类别": CATEGORY_LABELS.get(c, c), "起数": cats.get(c, 0)} for c in CATEGORY_LABELS]
    out.by_level = [{"等级": LEVEL_LABELS.get(lv, str(lv)), "起数": levels.get(lv, 0)} for lv in LEVEL_LABELS]
    y, m, last = start.year, start.month, (end.year, end.month)
    while (y, m) <= last:
        key = f"{y:04d}-{m:02d}"
        out.by_month.append({"月份": key, "起数": months.get(key, 0)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)

    labels = {"report": "报告时限（第二十一条）", "written_owed": "补报书面报告（第二十二条）",
              "verification": "核报反馈（第二十条）"}
    tally = {k: Counter() for k in labels}
    d = DeadlineRecord
    for kind, *counts in s.execute(
            select(d.kind, *_timeliness(d.due_at, d.satisfied_at, now))
            .where(d.due_at >= lo, d.due_at < hi).group_by(d.kind).order_by(d.kind)).all():
        tally.setdefault(kind, Counter()).update(dict(zip(_OUTCOMES, counts)))
    total = Counter()
    for kind, c in tally.items():
        total.update(c)
        out.on_time.append(_on_time_row(labels.get(kind, kind), c))
    out.on_time.append(_on_time_row("合计", total))

    if _daily is not None and hasattr(_daily, "Call") and _has(s, "call"):
        day = local_day(_daily.Call.at).label("day")
        out.calls_per_day = [{"日期": d, "来电数": n} for d, n in s.execute(
            select(day, func.count()).where(_daily.Call.at >= lo, _daily.Call.at < hi)
            .group_by("day").order_by("day")).all()]
    if _daily is not None and hasattr(_daily, "InstructionTarget") and _has(s, "instruction_target"):
        t = _daily.InstructionTarget
        counts = s.execute(select(*_timeliness(t.feedback_due, t.fed_back_at, now)).where(
            t.feedback_due >= lo, t.feedback_due < hi)).one()
        out.instructions = [_on_time_row("批示反馈（第八条）",
                                         Counter(dict(zip(_OUTCOMES, (n or 0 for n in counts)))))]
    return out


_OUTCOMES = ("按时", "超时", "逾期未完成", "未到期")


def _timeliness(due, done, now: datetime) -> list:
    """SQL sums, in _OUTCOMES order: met by the due time, met late, still open past it,
    not yet due."""
    return [func.sum(case((cond, 1), else_=0)) for cond in (
        done.is_not(None) & (done <= due), done.is_not(None) & (done > due),
        done.is_(None) & (due < now), done.is_(None) & (due >= now))]


def _on_time_row(label: str, c: Counter) -> dict:
    due = c["按时"] + c["超时"] + c["逾期未完成"]
    return {"项目": label, "按时": c["按时"], "超时": c["超时"], "逾期未完成": c["逾期未完成"],
            "未到期": c["未到期"], "及时率": _rate(c["按时"], due)}
