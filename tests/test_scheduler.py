"""Auto-scheduler: a flood-season October with 国庆节, fairness, determinism, explanations.

Pure, no database. Fairness bound asserted here: with everybody available, the duty
counts of eligible officers differ by at most 1, and so do their weekend/holiday
counts; shift leaders' counts differ by at most 1.
"""
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

import pytest

from rules.calendar import HolidayCalendar
from rules.scheduler import auto_schedule
from rules.staffing import (
    SHANGHAI,
    TEMPLATE_SETS,
    PersonFacts,
    ShiftFacts,
    SpecialPeriod,
    leader_reason,
    local_day,
    month_window,
    validate_roster,
)

UNIT = 1
CAL = HolidayCalendar.seeded(2026)
TRAINED = {"pre_job_trained_on": date(2025, 3, 1), "yearly_trained_on": date(2026, 3, 1)}
NAMES = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "冯局", "陈局", "褚局"]
OFFICERS = {i: PersonFacts(i, NAMES[i - 1], "permanent", False, **TRAINED) for i in range(1, 9)}
LEADERS = {i: PersonFacts(i, NAMES[i - 1], "permanent", True, **TRAINED) for i in range(9, 12)}
INELIGIBLE = {
    12: PersonFacts(12, "临时工", "temporary", False, **TRAINED),
    13: PersonFacts(13, "编外员", "contract", False, **TRAINED),
    14: PersonFacts(14, "新同志", "permanent", False, None, None),
    15: PersonFacts(15, "已调离", "permanent", True, **TRAINED, active=False),
}
PEOPLE = {**OFFICERS, **LEADERS, **INELIGIBLE}


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


# Flood season over the first half of October, 国庆节 on 10-01…10-07 (第九、十条).
FLOOD = SpecialPeriod.of("flood_season", local(date(2026, 10, 1)), local(date(2026, 10, 16)))


def spread(counter: Counter, ids) -> int:
    return max(counter[i] for i in ids) - min(counter[i] for i in ids)


@pytest.mark.parametrize("templates", ["full_day", "day_night"])
def test_flood_season_october_with_national_day_has_no_violation_articles_9_10(templates):
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS[templates], [FLOOD], CAL, seed=7)

    assert result.violations == [] and result.explanations == []
    assert len(result.shifts) == 31 * len(TEMPLATE_SETS[templates])
    for s in result.shifts:
        double = s.overlaps(FLOOD.starts_at, FLOOD.ends_at)
        assert len(set(s.officer_ids)) == (2 if double else 1)  # 第九条
        needs_leader = leader_reason(s, [FLOOD], CAL) is not None
        assert (s.leader_id is not None) == needs_leader  # 第十条, and only then
        assert s.leader_id not in s.officer_ids
        assert set(s.people()) <= set(OFFICERS) | set(LEADERS)  # 第九、十六条
    assert any(s.leader_id for s in result.shifts if local_day(s.starts_at) == date(2026, 10, 7))
    # An independent check of the plan over its own span finds nothing either.
    span = (result.shifts[0].starts_at, result.shifts[-1].ends_at)
    assert validate_roster(UNIT, result.shifts, PEOPLE, [FLOOD], CAL, *span) == []


@pytest.mark.parametrize("templates", ["full_day", "day_night"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fair_counts(templates, seed):
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS[templates], [FLOOD], CAL, seed=seed)
    eligible = set(OFFICERS) | set(LEADERS)  # leaders are permanent and trained: officers too
    duties = Counter(p for s in result.shifts for p in s.officer_ids)
    rest_days = Counter(p for s in result.shifts for p in s.officer_ids if CAL.is_rest_day(s.day))
    leads = Counter(s.leader_id for s in result.shifts if s.leader_id is not None)
    assert result.violations == []
    assert spread(duties, eligible) <= 1
    assert spread(rest_days, eligible) <= 1
    assert spread(leads, LEADERS) <= 1


def roster_of(result):
    return [(s.starts_at, tuple(s.officer_ids), s.leader_id) for s in result.shifts]


def test_deterministic_for_a_seed():
    def run(seed):
        return roster_of(auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["full_day"], [FLOOD],
                                       CAL, seed=seed))

    assert run(3) == run(3)
    assert len({tuple(run(seed)) for seed in range(4)}) > 1  # the seed does change the tie-breaks


def test_least_recent_duty_goes_first():
    history = {pid: date(2026, 9, 20 + pid % 10) for pid in PEOPLE if pid not in (5, 6)}
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["full_day"], [FLOOD], CAL,
                           history_last_duty=history)
    first, second = result.shifts[:2]
    assert set(first.officer_ids) == {5, 6}  # never on duty
    history = {pid: date(2026, 9, 1) for pid in PEOPLE} | {1: date(2026, 9, 30), 2: date(2026, 9, 30)}
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["full_day"], [], CAL, history_last_duty=history)
    assert not {1, 2} & set(result.shifts[0].officer_ids)


def test_leave_is_respected():
    leave = {2: {date(2026, 10, 10) + timedelta(n) for n in range(11)}, 9: {date(2026, 10, 1)}}
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["day_night"], [FLOOD], CAL, unavailable=leave)
    assert result.violations == []
    for s in result.shifts:
        touched = {local_day(s.starts_at), local_day(s.ends_at - timedelta(seconds=1))}
        for pid, days in leave.items():
            if touched & days:
                assert pid not in s.people()


def test_the_rest_rule_is_respected_article_24():
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["full_day"], [], CAL, min_rest_hours=48)
    assert result.violations == []
    for pid in set(OFFICERS) | set(LEADERS):
        own = [s for s in result.shifts if pid in s.people()]
        assert all(b.starts_at - a.ends_at >= timedelta(hours=48) for a, b in zip(own, own[1:]))


def test_one_eligible_person_in_flood_season_is_explained_article_9():
    people = {1: OFFICERS[1], **INELIGIBLE}
    flood = SpecialPeriod.of("flood_season", local(date(2026, 7, 1)), local(date(2026, 8, 1)))
    result = auto_schedule(UNIT, 2026, 7, people, TEMPLATE_SETS["full_day"], [flood], CAL)

    assert {v.rule_code for v in result.violations} >= {"double_staffing_required", "no_duty_officer"}
    assert result.explanations[0] == ("7月1日至7月31日处于防汛期，需要双人值班（第九条），"
                                      "但本单位符合条件的正式在编人员只有1人")
    excluded = result.explanations[-1]
    assert excluded.startswith("不能担任值班员的人员：")
    assert "临时工为临时人员" in excluded and "编外员为编外人员" in excluded and "（第九条）" in excluded
    assert "新同志在7月1日前未完成岗前培训" in excluded and "（第十六条）" in excluded
    # Whatever could be planned was: 张三 on every other day (rest rule).
    assert [bool(s.officer_ids) for s in result.shifts[:4]] == [True, False, True, False]


def test_no_shift_leader_on_national_day_is_explained_article_10():
    result = auto_schedule(UNIT, 2026, 10, OFFICERS, TEMPLATE_SETS["full_day"], [], CAL)
    missing = [v for v in result.violations if v.rule_code == "shift_leader_required"]
    assert [v.day for v in missing] == [date(2026, 10, n) for n in range(1, 8)]
    assert result.explanations[0] == ("10月1日至10月7日含法定节假日（国庆节），需要领导带班（第十条），"
                                      "但本单位没有具备带班资格的正式在编人员")


def test_a_single_leader_cannot_lead_a_whole_holiday_week_of_24_hour_shifts_article_10_24():
    people = {**OFFICERS, 9: LEADERS[9]}
    result = auto_schedule(UNIT, 2026, 10, people, TEMPLATE_SETS["full_day"], [], CAL)
    assert [v.day for v in result.violations if v.rule_code == "shift_leader_required"] == [
        date(2026, 10, 2), date(2026, 10, 4), date(2026, 10, 6)]
    assert any("冯局与相邻班次间隔不足8小时（第二十四条）" in e for e in result.explanations)


def test_unpublished_year_is_warned():
    result = auto_schedule(UNIT, 2027, 1, PEOPLE, TEMPLATE_SETS["full_day"], [], HolidayCalendar.seeded(2027))
    assert result.explanations == ["2027年节假日安排尚未公布，请在节假日表中维护"]
    assert result.violations == []


def test_periods_of_other_units_are_ignored():
    other = SpecialPeriod.of("sensitive", local(date(2026, 11, 1)), local(date(2026, 12, 1)), unit_ids={2})
    result = auto_schedule(UNIT, 2026, 11, PEOPLE, TEMPLATE_SETS["full_day"], [other], CAL)
    assert result.violations == []
    assert all(len(s.officer_ids) == 1 and s.leader_id is None for s in result.shifts)


def test_a_hundred_units_are_each_scheduled_without_a_violation():
    # How long it takes is measured in bench/rosters.py, not asserted here.
    units = {
        u: {u * 100 + i: PersonFacts(u * 100 + i, f"员{i}", "permanent", i > 12, **TRAINED) for i in range(1, 16)}
        for u in range(1, 101)
    }
    results = [auto_schedule(u, 2026, 10, people, TEMPLATE_SETS["day_night"], [FLOOD], CAL, seed=u)
               for u, people in units.items()]
    assert all(r.violations == [] for r in results)
    assert all(r.shifts for r in results)


def test_last_months_final_shift_is_respected_across_the_boundary_article_24():
    """With September's last shift, the October plan passes the calendar-month check."""
    september = ShiftFacts(None, UNIT, local(date(2026, 9, 30), 8, 30), local(date(2026, 10, 1), 8, 30), [1, 2], 9)
    result = auto_schedule(UNIT, 2026, 10, PEOPLE, TEMPLATE_SETS["full_day"], [FLOOD], CAL,
                           prior_shifts=[september])
    assert not {1, 2, 9} & set(result.shifts[0].people())
    assert validate_roster(UNIT, [september, *result.shifts], PEOPLE, [FLOOD], CAL, *month_window(2026, 10)) == []
