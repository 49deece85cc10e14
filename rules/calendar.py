"""Holiday calendar: statutory holidays and adjusted working days (第十条).

第十条 puts leaders on 24-hour duty on statutory holidays (法定节假日), so the roster
rules need to know which days those are. The State Council publishes each year's
arrangement late in the previous year; `chinese_calendar` carries the published
years and is used only to seed the editable holiday table. The rules read a
`HolidayCalendar` built from that table's rows, so a correction made by the office
takes effect without a code change.

"Statutory holiday" here means every rest day of a holiday block as published,
including the weekend days bridged into it (2026-10-03 and 10-04 are part of
国庆节), because leaders are on duty for the whole block.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import chinese_calendar

STATUTORY_HOLIDAY = "statutory_holiday"
ADJUSTED_WORKING_DAY = "adjusted_working_day"
DAY_KINDS = {STATUTORY_HOLIDAY: "法定节假日", ADJUSTED_WORKING_DAY: "调休上班日"}

# chinese_calendar names festivals in English; the interface speaks Chinese.
FESTIVAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

UNPUBLISHED_WARNING = "{year}年节假日安排尚未公布，请在节假日表中维护"

CalendarRow = tuple[date, str, str]  # (day, kind, name)


def is_published(year: int) -> bool:
    """Whether `chinese_calendar` knows the arrangement of `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def seed_year(year: int) -> list[CalendarRow]:
    """The published holidays and adjusted working days of `year`, in date order.

    Returns [] for a year not yet published; `is_published(year)` says which.
    """
    if not is_published(year):
        return []
    rows = [
        (day, STATUTORY_HOLIDAY, _festival(name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    rows += [
        (day, ADJUSTED_WORKING_DAY, _festival(name))
        for day, name in chinese_calendar.workdays.items()
        if day.year == year and day.weekday() >= 5
    ]
    return sorted(rows)


def unpublished_warning(year: int) -> str:
    return UNPUBLISHED_WARNING.format(year=year)


def _festival(english: str) -> str:
    return FESTIVAL_NAMES.get(english, english)


class HolidayCalendar:
    """The holiday table as a value: day → (kind, name).

    A year counts as published when the table holds at least one row for it (every
    published year has 元旦 on 1 January, so a real year is never empty).
    """

    __slots__ = ("_days", "_years")

    def __init__(self, rows: Iterable[CalendarRow] = ()) -> None:
        days: dict[date, tuple[str, str]] = {}
        for day, kind, name in rows:
            if kind not in DAY_KINDS:
                raise ValueError(f"unknown calendar day kind: {kind!r}")
            days[day] = (kind, name)
        self._days = days
        self._years = frozenset(d.year for d in days)

    @classmethod
    def seeded(cls, *years: int) -> HolidayCalendar:
        """A calendar straight from `chinese_calendar` (tests, first start)."""
        return cls(row for year in years for row in seed_year(year))

    def kind(self, day: date) -> str | None:
        entry = self._days.get(day)
        return entry[0] if entry else None

    def name(self, day: date) -> str | None:
        entry = self._days.get(day)
        return entry[1] if entry else None

    def is_statutory_holiday(self, day: date) -> bool:
        return self.kind(day) == STATUTORY_HOLIDAY

    def is_adjusted_working_day(self, day: date) -> bool:
        return self.kind(day) == ADJUSTED_WORKING_DAY

    def is_rest_day(self, day: date) -> bool:
        """A statutory holiday, or a weekend day that is not an adjusted working day."""
        kind = self.kind(day)
        if kind is not None:
            return kind == STATUTORY_HOLIDAY
        return day.weekday() >= 5

    def holidays_between(self, first: date, last: date) -> list[date]:
        """Statutory holidays in [first, last], in date order."""
        return [
            first + timedelta(n)
            for n in range((last - first).days + 1)
            if self.is_statutory_holiday(first + timedelta(n))
        ]

    def is_published(self, year: int) -> bool:
        return year in self._years

    def unpublished_years(self, years: Iterable[int]) -> list[int]:
        """Years without rows: the page warns with `unpublished_warning(year)`."""
        return sorted({y for y in years if y not in self._years})

    def __len__(self) -> int:
        return len(self._days)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HolidayCalendar) and self._days == other._days

    def __repr__(self) -> str:
        return f"HolidayCalendar({len(self._days)} days, years={sorted(self._years)})"
