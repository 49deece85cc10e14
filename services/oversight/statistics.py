"""Statistics for the office and shift leaders: incidents by category, level and month; the
on-time rate of reports against their deadlines (第二十一条); calls per day and instructions
fed back on time (第八条) where the calls feature (models/daily.py) is installed.

Counted in the database, one query per table, so a page reads a few dozen rows however
many records the period holds. Every figure is a count over a range of an index (a local
day, a month, a category and level, a kind of deadline): a year of calls is not converted
to local days and grouped row by row, which took most of the page's time on a busy street.
Local days are whole UTC intervals (common.window): Asia/Shanghai keeps UTC+8.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, case, func, inspect, literal, select

from models.incident import DeadlineRecord, Incident
from rules.deadlines import CATEGORY_LABELS, LEVEL_LABELS
from services import clock, view_cache
from services.errors import ValidationError
from services.oversight.common import days_after, window
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
        # The same for every reader. What is overdue moves with the minute: those figures
        # are computed each minute, the counts of incidents and calls are kept until their
        # tables change (each its own read model: a call logged leaves the incidents).
        minute = clock.now().replace(second=0, microsecond=0)
        return view_cache.cached(s, ("statistics", start, end, minute),
                                 lambda: _statistics(s, start, end))


def _statistics(s, start: date, end: date) -> Statistics:
    by_category, by_level, by_month = view_cache.cached(
        s, ("statistics.incidents", start, end), lambda: _incidents(s, start, end))
    on_time, instructions = _timeliness_rows(s, start, end)
    calls_per_day = view_cache.cached(s, ("statistics.calls", start, end), lambda: _calls(s, start, end))
    return Statistics(by_category=by_category, by_level=by_level, by_month=by_month, on_time=on_time,
                      calls_per_day=calls_per_day, instructions=instructions)


_LABELS = {"report": "报告时限（第二十一条）", "written_owed": "补报书面报告（第二十二条）",
           "verification": "核报反馈（第二十条）"}
_COMBOS = [(c, lv) for c in CATEGORY_LABELS for lv in LEVEL_LABELS]


def _incidents(s, start: date, end: date) -> tuple[list[dict], list[dict], list[dict]]:
    """By category, by level, by month."""
    lo, hi = window(start, end)
    months = _months(start, end)
    bounds = [lo] + [b for _key, _a, b in months]
    counts = iter(s.execute(_incident_counts(len(months)), {
        "lo": lo, "hi": hi, **{f"b{n}": at for n, at in enumerate(bounds)}}).one())
    cats, levels = Counter(), Counter()
    for (c, lv), n in zip(_COMBOS, counts):
        cats[c] += n
        levels[lv] += n
    return ([{"类别": CATEGORY_LABELS[c], "起数": cats[c]} for c in CATEGORY_LABELS],
            [{"等级": LEVEL_LABELS[lv], "起数": levels[lv]} for lv in LEVEL_LABELS],
            [{"月份": key, "起数": n} for (key, _a, _b), n in zip(months, counts)])


def _timeliness_rows(s, start: date, end: date) -> tuple[list[dict], list[dict] | None]:
    """Deadline clocks by kind and outcome now (with their total), and instructions fed
    back (None: not installed)."""
    lo, hi = window(start, end)
    now = clock.now()
    tally = {k: Counter() for k in _LABELS}
    for kind, *counts in s.execute(_deadline_counts(), {"lo": lo, "hi": hi, "now": now}).all():
        tally[kind].update(_outcomes(counts))
    on_time, total = [], Counter()
    for kind, c in tally.items():
        total.update(c)
        on_time.append(_on_time_row(_LABELS[kind], c))
    on_time.append(_on_time_row("合计", total))
    instructions = None
    if _daily is not None and hasattr(_daily, "InstructionTarget") and _has(s, "instruction_target"):
        t = _daily.InstructionTarget
        counts = s.execute(select(*_timeliness(t.feedback_due, t.fed_back_at, now)).where(
            t.feedback_due >= lo, t.feedback_due < hi)).one()
        instructions = [_on_time_row("批示反馈（第八条）", _outcomes(counts))]
    return on_time, instructions


def _calls(s, start: date, end: date) -> list[dict] | None:
    """Calls per local day, days without calls left out (None: calls not installed)."""
    if _daily is None or not hasattr(_daily, "Call") or not _has(s, "call"):
        return None
    return [{"日期": str(start + timedelta(days=n)), "来电数": count}
            for n, count in sorted(s.execute(_calls_per_day(), {
                "first": window(start, end)[0], "last": (end - start).days}).all()) if count]


# The statements are built once (per number of months) and take the period as parameters.

@lru_cache(maxsize=16)
def _incident_counts(months: int):
    """Incidents of each (category, level) of _COMBOS in [lo, hi), then of each month
    [b0, b1), [b1, b2), ...: every figure one count over a range of an index
    ((category, level, occurred_at); (occurred_at, ...) for the months)."""
    i = Incident
    at = i.occurred_at

    def count(*where):
        return select(func.count()).select_from(i).where(*where).scalar_subquery()

    lo, hi = bindparam("lo", type_=at.type), bindparam("hi", type_=at.type)
    bounds = [bindparam(f"b{n}", type_=at.type) for n in range(months + 1)]
    return select(
        *(count(i.category == c, i.level.is_(None) if lv is None else i.level == lv, at >= lo, at < hi)
          for c, lv in _COMBOS),
        *(count(at >= a, at < b) for a, b in zip(bounds, bounds[1:])))


@lru_cache(maxsize=1)
def _deadline_counts():
    """The clocks of the three kinds due in [lo, hi) by outcome at `now`, read from
    (kind, due_at, satisfied_at) in order of kind (no sort)."""
    d = DeadlineRecord
    return (select(d.kind, *_timeliness(d.due_at, d.satisfied_at, bindparam("now", type_=d.due_at.type)))
            .where(d.kind.in_(list(_LABELS)), d.due_at >= bindparam("lo", type_=d.due_at.type),
                   d.due_at < bindparam("hi", type_=d.due_at.type))
            .group_by(d.kind).order_by(d.kind))


@lru_cache(maxsize=1)
def _calls_per_day():
    """(n, calls) for the local days n = 0..last from `first` (a day's start in UTC): one
    count per day over the index on the time, the days' bounds made in SQL, rather than
    converting every call of the period to its day and grouping."""
    call = _daily.Call
    days = select(literal(0).label("n")).cte("days", recursive=True)
    days = days.union_all(select(days.c.n + 1).where(days.c.n < bindparam("last")))
    first = bindparam("first", type_=call.at.type)
    per_day = select(func.count()).where(call.at >= days_after(first, days.c.n),
                                         call.at < days_after(first, days.c.n + 1))
    return select(days.c.n, per_day.scalar_subquery())    # sorted in Python: no sort in SQL


def _months(start: date, end: date) -> list[tuple[str, datetime, datetime]]:
    """The months of the period as ('YYYY-MM', from, to) in UTC, the first and last cut
    to the period."""
    out, first = [], start
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(end, following - timedelta(days=1))
        out.append((f"{first.year:04d}-{first.month:02d}", *window(first, last)))
        first = following
    return out


_OUTCOMES = ("按时", "超时", "逾期未完成", "未到期")


def _timeliness(due, done, now) -> list:
    """SQL counts: all, met, met late (after the due time), still open past the due time;
    _outcomes turns them into _OUTCOMES. Two of them look at a row's values: the page's
    counts of a year of clocks take no more work per row than that."""
    return [func.count(), func.count(done), func.count(case((done > due, 1))),
            func.count(case((done.is_(None) & (due < now), 1)))]


def _outcomes(counts) -> Counter:
    total, met, late, overdue = (n or 0 for n in counts)
    return Counter(dict(zip(_OUTCOMES, (met - late, late, overdue, total - met - overdue))))


def _on_time_row(label: str, c: Counter) -> dict:
    due = c["按时"] + c["超时"] + c["逾期未完成"]
    return {"项目": label, "按时": c["按时"], "超时": c["超时"], "逾期未完成": c["逾期未完成"],
            "未到期": c["未到期"], "及时率": _rate(c["按时"], due)}
