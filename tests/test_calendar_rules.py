"""Holiday calendar (第十条: leaders on duty on statutory holidays). Pure, no database."""
from datetime import date

import pytest

from rules.calendar import (
    ADJUSTED_WORKING_DAY,
    STATUTORY_HOLIDAY,
    HolidayCalendar,
    is_published,
    seed_year,
    unpublished_warning,
)


@pytest.fixture(scope="module")
def cal2026():
    return HolidayCalendar(seed_year(2026))


def test_2026_national_day_block_is_statutory_holiday_including_bridged_weekend():
    rows = {day: (kind, name) for day, kind, name in seed_year(2026)}
    for n in range(1, 8):  # 10-03 and 10-04 are the weekend inside the block
        assert rows[date(2026, 10, n)] == (STATUTORY_HOLIDAY, "国庆节")
    assert date(2026, 10, 8) not in rows


def test_2026_adjusted_working_days_come_from_chinese_calendar():
    adjusted = {day: name for day, kind, name in seed_year(2026) if kind == ADJUSTED_WORKING_DAY}
    assert adjusted == {
        date(2026, 1, 4): "元旦",
        date(2026, 2, 14): "春节",
        date(2026, 2, 28): "春节",
        date(2026, 5, 9): "劳动节",
        date(2026, 9, 20): "国庆节",
        date(2026, 10, 10): "国庆节",
    }
    assert all(day.weekday() >= 5 for day in adjusted)


def test_seeded_names_are_chinese_and_rows_sorted():
    rows = seed_year(2026)
    assert rows == sorted(rows)
    assert {name for _, _, name in rows} == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}


def test_2027_is_not_published_yet():
    assert is_published(2026) and not is_published(2027)
    assert seed_year(2027) == []
    cal = HolidayCalendar.seeded(2026, 2027)
    assert cal.is_published(2026) and not cal.is_published(2027)
    assert cal.unpublished_years([2026, 2027, 2027]) == [2027]
    assert unpublished_warning(2027) == "2027年节假日安排尚未公布，请在节假日表中维护"


def test_day_kinds(cal2026):
    assert cal2026.is_statutory_holiday(date(2026, 10, 1))
    assert cal2026.name(date(2026, 10, 1)) == "国庆节"
    assert cal2026.is_adjusted_working_day(date(2026, 10, 10))
    assert not cal2026.is_statutory_holiday(date(2026, 10, 10))
    assert cal2026.kind(date(2026, 10, 12)) is None


@pytest.mark.parametrize("day, rest", [
    (date(2026, 10, 1), True),    # statutory holiday, Thursday
    (date(2026, 10, 3), True),    # Saturday inside the holiday block
    (date(2026, 10, 10), False),  # Saturday, adjusted working day (调休上班)
    (date(2026, 10, 17), True),   # ordinary Saturday
    (date(2026, 10, 12), False),  # ordinary Monday
])
def test_rest_days(cal2026, day, rest):
    assert cal2026.is_rest_day(day) is rest


def test_the_table_is_the_truth_not_the_library():
    """The office edits the table; the calendar follows the rows it is given."""
    rows = [r for r in seed_year(2026) if r[0] != date(2026, 10, 7)]
    rows.append((date(2026, 10, 12), STATUTORY_HOLIDAY, "地方假日"))
    cal = HolidayCalendar(rows)
    assert not cal.is_statutory_holiday(date(2026, 10, 7))
    assert cal.is_statutory_holiday(date(2026, 10, 12))
    assert cal.holidays_between(date(2026, 10, 6), date(2026, 10, 12)) == [date(2026, 10, 6), date(2026, 10, 12)]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        HolidayCalendar([(date(2026, 1, 1), "holiday", "元旦")])


def test_unpublished_year_falls_back_to_weekends():
    cal = HolidayCalendar.seeded(2027)
    assert len(cal) == 0
    assert cal.is_rest_day(date(2027, 1, 2))  # Saturday
    assert not cal.is_rest_day(date(2027, 1, 1))  # Friday; 元旦 unknown until published
