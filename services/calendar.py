"""The duty calendar: the holiday table (第十条) and special periods (第九、十条).

The holiday table is seeded from `chinese_calendar` for the years it knows and is then
the office's to correct; the rules read it through `calendar_for(years)`. A year without
rows is not yet published: every roster of that year shows a warning.

Special periods (防汛期, 特殊敏感时期, 重大突发事件期间) are data: start, end, the units they
cover (all or a list) and what they require (double staffing 第九条, leaders on duty 第十条).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from models.org import Unit
from models.roster import HOLIDAY_KINDS, PERIOD_KINDS, HolidayDay, SpecialPeriodRow
from rules.calendar import DAY_KINDS, HolidayCalendar, seed_year, unpublished_warning
from rules.staffing import PERIOD_DEFAULTS, PERIOD_KINDS as PERIOD_KIND_LABELS, SpecialPeriod, month_days
from services import audit
from services.errors import ValidationError
from services.permissions import Actor, require
from services.roster_common import load_calendar, load_for_edit, load_periods, local_midnight
from services.uow import reading, transaction

SOURCE_LABELS = {"chinese_calendar": "国务院公布（chinese_calendar）", "manual": "手工维护"}


# ---------------------------------------------------------------- holidays

@dataclass(frozen=True)
class HolidayData:
    day: date
    kind: str    # statutory_holiday | adjusted_working_day
    name: str


@dataclass(frozen=True)
class HolidayRow:
    id: int
    day: date
    kind: str
    name: str
    source: str
    version: int

    @property
    def kind_label(self) -> str:
        return DAY_KINDS.get(self.kind, self.kind)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class SeedResult:
    added: int
    kept: int                       # days already in the table (edits are never overwritten)
    unpublished_years: list[int]
    warnings: list[str]


def seed_holidays(actor: Actor, years: Iterable[int]) -> SeedResult:
    """Add the published holidays of `years` that the table lacks (idempotent; audited).

    Days already in the table are kept as they are, so the office's corrections survive
    a re-seed; unpublished years are reported with their warning.
    """
    years = sorted(set(int(y) for y in years))
    with transaction() as s:
        require(actor, "calendar.write")
        added = kept = 0
        unpublished = []
        for year in years:
            rows = seed_year(year)
            if not rows:
                unpublished.append(year)
                continue
            existing = set(s.execute(select(HolidayDay.day).where(
                HolidayDay.day >= date(year, 1, 1), HolidayDay.day <= date(year, 12, 31))).scalars())
            for day, kind, name in rows:
                if day in existing:
                    kept += 1
                    continue
                s.add(HolidayDay(day=day, kind=kind, name=name, source="chinese_calendar"))
                added += 1
        s.flush()
        warnings = [unpublished_warning(y) for y in unpublished]
        audit.record(s, actor, "holiday.seed", "holiday_day", None,
                     details={"years": years, "added": added, "kept": kept,
                              "unpublished": unpublished})
        return SeedResult(added, kept, unpublished, warnings)


def _holiday_row(h: HolidayDay) -> HolidayRow:
    return HolidayRow(h.id, h.day, h.kind, h.name, h.source, h.version)


def list_holidays(actor: Actor, year: int) -> list[HolidayRow]:
    with reading() as s:
        require(actor, "calendar.read")
        rows = s.execute(select(HolidayDay).where(
            HolidayDay.day >= date(year, 1, 1), HolidayDay.day <= date(year, 12, 31))
            .order_by(HolidayDay.day)).scalars()
        return [_holiday_row(h) for h in rows]


def _holiday_problems(s: Session, data: HolidayData, holiday_id: int | None) -> list[str]:
    problems = []
    if not isinstance(data.day, date):
        problems.append("日期：不能为空")
    if data.kind not in HOLIDAY_KINDS:
        problems.append("类型：应为法定节假日或调休上班日")
    name = (data.name or "").strip()
    if not name:
        problems.append("名称：不能为空")
    elif len(name) > 100:
        problems.append("名称：不能超过100个字")
    if isinstance(data.day, date):
        other = s.execute(select(HolidayDay.id).where(HolidayDay.day == data.day)).scalar_one_or_none()
        if other is not None and other != holiday_id:
            problems.append(f"日期：{data.day.isoformat()}已在节假日表中")
    return problems


def add_holiday(actor: Actor, data: HolidayData) -> int:
    """The office adds a day by hand (e.g. a year not yet in chinese_calendar)."""
    with transaction() as s:
        require(actor, "calendar.write")
        problems = _holiday_problems(s, data, None)
        if problems:
            raise ValidationError(problems)
        h = HolidayDay(day=data.day, kind=data.kind, name=data.name.strip(), source="manual")
        s.add(h)
        s.flush()
        audit.record(s, actor, "holiday.add", "holiday_day", h.id,
                     details={"day": h.day, "kind": h.kind, "name": h.name})
        return h.id


def update_holiday(actor: Actor, holiday_id: int, version: int, data: HolidayData) -> None:
    with transaction() as s:
        require(actor, "calendar.write")
        h = load_for_edit(s, HolidayDay, holiday_id, version, "节假日")
        problems = _holiday_problems(s, data, h.id)
        if problems:
            raise ValidationError(problems)
        before = {"day": h.day, "kind": h.kind, "name": h.name, "source": h.source}
        h.day, h.kind, h.name, h.source = data.day, data.kind, data.name.strip(), "manual"
        audit.record(s, actor, "holiday.update", "holiday_day", h.id,
                     details={"before": before, "after": {"day": h.day, "kind": h.kind,
                                                          "name": h.name}})


def delete_holiday(actor: Actor, holiday_id: int, version: int) -> None:
    with transaction() as s:
        require(actor, "calendar.write")
        h = load_for_edit(s, HolidayDay, holiday_id, version, "节假日")
        audit.record(s, actor, "holiday.delete", "holiday_day", h.id,
                     details={"day": h.day, "kind": h.kind, "name": h.name, "source": h.source})
        s.delete(h)


def calendar_for(years: Iterable[int], s: Session | None = None) -> HolidayCalendar:
    """The holiday table of `years` as the rules' HolidayCalendar."""
    if s is not None:
        return load_calendar(s, years)
    with reading() as session:
        return load_calendar(session, years)


def unpublished_warnings(years: Iterable[int], s: Session | None = None) -> list[str]:
    """「2027年节假日安排尚未公布，请在节假日表中维护」 for each year without rows."""
    years = set(years)
    cal = calendar_for(years, s)
    return [unpublished_warning(y) for y in cal.unpublished_years(years)]


# ---------------------------------------------------------------- special periods

@dataclass(frozen=True)
class PeriodData:
    kind: str                                 # flood_season | sensitive | major_incident
    name: str
    starts_at: datetime
    ends_at: datetime
    unit_ids: tuple[int, ...] | None = None   # None: every unit
    double_staffing: bool | None = None       # None: the kind's default (PERIOD_DEFAULTS)
    leaders_on_duty: bool | None = None
    notes: str | None = None


@dataclass(frozen=True)
class PeriodRow:
    id: int
    kind: str
    name: str
    starts_at: datetime
    ends_at: datetime
    all_units: bool
    unit_ids: tuple[int, ...]
    unit_names: tuple[str, ...]
    double_staffing: bool
    leaders_on_duty: bool
    notes: str | None
    version: int

    @property
    def kind_label(self) -> str:
        return PERIOD_KIND_LABELS.get(self.kind, self.kind)

    @property
    def requirements(self) -> str:
        parts = []
        if self.double_staffing:
            parts.append("双人专职24小时值班（第九条）")
        if self.leaders_on_duty:
            parts.append("领导24小时在岗带班（第十条）")
        return "；".join(parts) or "无特别要求"


def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, the day after last 00:00) in Beijing time, as UTC: a period's span."""
    return local_midnight(first), local_midnight(last + timedelta(days=1))


def _period_row(p: SpecialPeriodRow) -> PeriodRow:
    return PeriodRow(p.id, p.kind, p.name, p.starts_at, p.ends_at, p.all_units,
                     tuple(u.id for u in p.units), tuple(u.name for u in p.units),
                     p.double_staffing, p.leaders_on_duty, p.notes, p.version)


def list_special_periods(actor: Actor, starts_at: datetime | None = None,
                         ends_at: datetime | None = None) -> list[PeriodRow]:
    """Periods overlapping [starts_at, ends_at) (all when not given), latest first."""
    with reading() as s:
        require(actor, "calendar.read")
        q = select(SpecialPeriodRow)
        if starts_at is not None:
            q = q.where(SpecialPeriodRow.ends_at > starts_at)
        if ends_at is not None:
            q = q.where(SpecialPeriodRow.starts_at < ends_at)
        rows = s.execute(q.order_by(SpecialPeriodRow.starts_at.desc(), SpecialPeriodRow.id)).scalars()
        return [_period_row(p) for p in rows]


def periods_between(starts_at: datetime, ends_at: datetime, s: Session | None = None) -> list[SpecialPeriod]:
    """The rules' SpecialPeriod values overlapping [starts_at, ends_at)."""
    if s is not None:
        return load_periods(s, starts_at, ends_at)
    with reading() as session:
        return load_periods(session, starts_at, ends_at)


def _period_values(s: Session, data: PeriodData) -> tuple[dict, list[Unit]]:
    problems = []
    if data.kind not in PERIOD_KINDS:
        problems.append("类型：应为" + "、".join(PERIOD_KIND_LABELS.values()) + "之一")
    name = (data.name or "").strip()
    if not name:
        problems.append("名称：不能为空")
    elif len(name) > 100:
        problems.append("名称：不能超过100个字")
    for label, value in (("开始时间", data.starts_at), ("结束时间", data.ends_at)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            problems.append(f"{label}：不能为空")
    if not problems and data.ends_at <= data.starts_at:
        problems.append("结束时间：须晚于开始时间")
    units: list[Unit] = []
    if data.unit_ids is not None:
        wanted = sorted(set(data.unit_ids))
        if not wanted:
            problems.append("适用单位：请选择单位，或选择全部单位")
        units = list(s.execute(select(Unit).where(Unit.id.in_(wanted))).scalars()) if wanted else []
        if len(units) != len(wanted):
            problems.append("适用单位：有单位不存在")
    if problems:
        raise ValidationError(problems)
    defaults = PERIOD_DEFAULTS[data.kind]
    values = dict(
        kind=data.kind, name=name, starts_at=data.starts_at, ends_at=data.ends_at,
        all_units=data.unit_ids is None,
        double_staffing=defaults["double_staffing"] if data.double_staffing is None
        else bool(data.double_staffing),
        leaders_on_duty=defaults["leaders_on_duty"] if data.leaders_on_duty is None
        else bool(data.leaders_on_duty),
        notes=(data.notes or "").strip() or None,
    )
    return values, units


def _audit_values(values: dict, units: list[Unit]) -> dict:
    return {**values, "unit_ids": [u.id for u in units] or None}


def create_special_period(actor: Actor, data: PeriodData) -> int:
    with transaction() as s:
        require(actor, "special_period.write")
        values, units = _period_values(s, data)
        p = SpecialPeriodRow(**values)
        p.units = units
        s.add(p)
        s.flush()
        audit.record(s, actor, "special_period.create", "special_period", p.id,
                     details=_audit_values(values, units))
        return p.id


def update_special_period(actor: Actor, period_id: int, version: int, data: PeriodData) -> None:
    with transaction() as s:
        require(actor, "special_period.write")
        p = load_for_edit(s, SpecialPeriodRow, period_id, version, "特殊时期")
        before = _audit_values({k: getattr(p, k) for k in ("kind", "name", "starts_at", "ends_at",
                                                            "all_units", "double_staffing",
                                                            "leaders_on_duty", "notes")}, p.units)
        values, units = _period_values(s, data)
        for key, value in values.items():
            setattr(p, key, value)
        p.units = units
        flag_modified(p, "name")  # the link table alone would not bump the version
        audit.record(s, actor, "special_period.update", "special_period", p.id,
                     details={"before": before, "after": _audit_values(values, units)})


def delete_special_period(actor: Actor, period_id: int, version: int) -> None:
    with transaction() as s:
        require(actor, "special_period.write")
        p = load_for_edit(s, SpecialPeriodRow, period_id, version, "特殊时期")
        audit.record(s, actor, "special_period.delete", "special_period", p.id,
                     details={"kind": p.kind, "name": p.name, "starts_at": p.starts_at,
                              "ends_at": p.ends_at})
        p.units = []
        s.delete(p)


# ---------------------------------------------------------------- a month's marks

@dataclass(frozen=True)
class PeriodMark:
    kind_label: str            # 防汛期
    name: str                  # 2026年防汛期
    requirements: str          # 双人专职24小时值班（第九条）

    def __str__(self) -> str:
        return f"{self.kind_label}「{self.name}」：{self.requirements}"


@dataclass(frozen=True)
class DayMark:
    """What the roster grid marks on a day: a statutory holiday or an adjusted working day
    (第十条), and the special periods covering the day for the unit (第九、十条)."""

    day: date
    holiday: str | None = None             # the festival's name on a statutory holiday
    adjusted_working_day: str | None = None
    periods: tuple[PeriodMark, ...] = ()


def month_marks(actor: Actor, unit_id: int, year: int, month: int) -> dict[date, DayMark]:
    """The marked days of a unit's month (days without anything are left out)."""
    days = month_days(year, month)
    with reading() as s:
        require(actor, "calendar.read", unit_id)   # a unit's duty officer: their own unit
        start, end = local_midnight(days[0]), local_midnight(days[-1] + timedelta(days=1))
        holidays = {h.day: h for h in s.execute(select(HolidayDay).where(
            HolidayDay.day >= days[0], HolidayDay.day <= days[-1])).scalars()}
        periods = [_period_row(p) for p in s.execute(select(SpecialPeriodRow).where(
            SpecialPeriodRow.starts_at < end, SpecialPeriodRow.ends_at > start)
            .order_by(SpecialPeriodRow.starts_at, SpecialPeriodRow.id)).scalars()]
        periods = [p for p in periods if p.all_units or unit_id in p.unit_ids]
        marks = {}
        for day in days:
            h = holidays.get(day)
            lo, hi = local_midnight(day), local_midnight(day + timedelta(days=1))
            covering = tuple(PeriodMark(p.kind_label, p.name, p.requirements) for p in periods
                             if p.starts_at < hi and p.ends_at > lo)
            if h is None and not covering:
                continue
            marks[day] = DayMark(
                day, h.name if h is not None and h.kind == "statutory_holiday" else None,
                h.name if h is not None and h.kind == "adjusted_working_day" else None, covering)
        return marks
