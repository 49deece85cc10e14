"""Roster rules, each with a case that breaks it and one that keeps it. Pure, no database.

第九条 permanent staff only, double staffing, one post at a time; 第十六条 training;
第二、九条 24-hour cover; 第十条 shift leader; 第二十四条 rest between shifts.
"""
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import pytest

from rules.calendar import HolidayCalendar
from rules.staffing import (
    RULES,
    SHANGHAI,
    TEMPLATE_SETS,
    PersonFacts,
    ShiftFacts,
    ShiftTemplate,
    SpecialPeriod,
    month_window,
    shifts_for_month,
    validate_roster,
    validate_shift,
)

UNIT = 1
CAL = HolidayCalendar.seeded(2026)
WORKDAY = date(2026, 10, 13)  # an ordinary Tuesday

ZHANG = PersonFacts(1, "张三", "permanent", False, date(2025, 3, 1), date(2026, 3, 1))
LI = PersonFacts(2, "李四", "permanent", False, date(2025, 3, 1), date(2026, 3, 1))
WANG = PersonFacts(3, "王五", "permanent", True, date(2024, 3, 1), date(2026, 3, 1))
PEOPLE = {p.id: p for p in (ZHANG, LI, WANG)}


def at(day: date, hour: int = 8, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(timezone.utc)


def shift(day=WORKDAY, officers=(1,), leader=None, *, id=None, hours=24, hour=8, minute=30, unit=UNIT):
    starts_at = at(day, hour, minute)
    return ShiftFacts(id, unit, starts_at, starts_at + timedelta(hours=hours), list(officers), leader)


def check(s, people=PEOPLE, periods=(), **kw):
    return validate_shift(s, people, periods, CAL, **kw)


def codes(violations):
    return [v.rule_code for v in violations]


def period(kind, first: date, last: date, **kw):
    p = SpecialPeriod.of(kind, at(first, 0, 0), at(last + timedelta(1), 0, 0))
    return replace(p, **kw)


def test_a_well_formed_shift_has_no_violation():
    assert check(shift()) == []


# --- 第九条: permanent staff only -------------------------------------------------------------


@pytest.mark.parametrize("employment, label", [("temporary", "临时人员"), ("contract", "编外人员")])
def test_non_permanent_staff_may_not_be_on_duty_article_9(employment, label):
    people = {**PEOPLE, 1: replace(ZHANG, employment=employment)}
    [v] = check(shift(officers=[1]), people)
    assert (v.rule_code, v.article, v.person_id, v.day) == ("not_permanent", "第九条", 1, WORKDAY)
    assert f"张三为{label}，不得安排值班" in v.message
    assert v.message.startswith("10月13日08:30–次日08:30班次：") and v.message.endswith("（第九条）")


def test_permanent_staff_may_be_on_duty_article_9():
    assert check(shift(officers=[1])) == []


def test_inactive_or_unknown_people_are_refused_article_9():
    people = {**PEOPLE, 1: replace(ZHANG, active=False)}
    assert codes(check(shift(officers=[1]), people)) == ["inactive_person"]
    assert codes(check(shift(officers=[99]))) == ["unknown_person"]


# --- 第十六条: training -----------------------------------------------------------------------


@pytest.mark.parametrize("pre_job", [None, WORKDAY + timedelta(1)])
def test_pre_job_training_before_the_first_duty_article_16(pre_job):
    people = {**PEOPLE, 1: replace(ZHANG, pre_job_trained_on=pre_job, yearly_trained_on=None)}
    [v] = check(shift(officers=[1]), people)
    assert (v.rule_code, v.article) == ("pre_job_training_missing", "第十六条")
    assert "张三在10月13日前未完成岗前培训" in v.message and "（第十六条）" in v.message


def test_pre_job_training_on_the_day_is_enough_and_counts_as_the_years_training_article_16():
    people = {**PEOPLE, 1: replace(ZHANG, pre_job_trained_on=WORKDAY, yearly_trained_on=None)}
    assert check(shift(officers=[1]), people) == []


def test_yearly_training_older_than_12_months_article_16():
    people = {**PEOPLE, 1: replace(ZHANG, yearly_trained_on=date(2025, 10, 12))}
    [v] = check(shift(officers=[1]), people)
    assert (v.rule_code, v.article) == ("yearly_training_overdue", "第十六条")
    assert "张三最近一次培训为2025年10月12日" in v.message and "超过12个月" in v.message


def test_yearly_training_exactly_12_months_ago_is_enough_article_16():
    people = {**PEOPLE, 1: replace(ZHANG, yearly_trained_on=date(2025, 10, 13))}
    assert check(shift(officers=[1]), people) == []


# --- 第九条: officers and double staffing ---------------------------------------------------


def test_a_shift_needs_a_duty_officer_article_9():
    [v] = check(shift(officers=[]))
    assert (v.rule_code, v.article) == ("no_duty_officer", "第九条")


def test_single_officer_in_flood_season_article_9():
    flood = period("flood_season", date(2026, 10, 13), date(2026, 10, 20))
    [v] = check(shift(officers=[1]), periods=[flood])
    assert (v.rule_code, v.article) == ("double_staffing_required", "第九条")
    assert "处于防汛期，须双人专职值班，现只安排了1名值班员（第九条）" in v.message


def test_two_officers_in_flood_season_article_9():
    flood = period("flood_season", date(2026, 10, 13), date(2026, 10, 20))
    assert check(shift(officers=[1, 2]), periods=[flood]) == []


def test_a_shift_touching_the_period_by_a_few_hours_needs_two_article_9():
    sensitive = period("major_incident", date(2026, 10, 14), date(2026, 10, 14))
    assert codes(check(shift(officers=[1]), periods=[sensitive])) == ["double_staffing_required"]


@pytest.mark.parametrize("p", [
    period("flood_season", date(2026, 10, 13), date(2026, 10, 20), unit_ids=frozenset({2})),
    period("flood_season", date(2026, 10, 13), date(2026, 10, 20), double_staffing=False),
    period("flood_season", date(2026, 10, 15), date(2026, 10, 20)),
])
def test_periods_for_other_units_or_without_double_staffing_or_later_do_not_apply_article_9(p):
    assert check(shift(officers=[1]), periods=[p]) == []


def test_the_same_person_twice_counts_once_article_9():
    flood = period("flood_season", date(2026, 10, 13), date(2026, 10, 20))
    assert codes(check(shift(officers=[1, 1]), periods=[flood])) == ["double_staffing_required"]


# --- 第十条: shift leader ---------------------------------------------------------------------


def test_statutory_holiday_needs_a_shift_leader_article_10():
    [v] = check(shift(date(2026, 10, 1), officers=[1]))
    assert (v.rule_code, v.article, v.day) == ("shift_leader_required", "第十条", date(2026, 10, 1))
    assert "含法定节假日（国庆节），须安排领导带班（第十条）" in v.message


def test_statutory_holiday_with_a_qualified_leader_article_10():
    assert check(shift(date(2026, 10, 1), officers=[1], leader=3)) == []


def test_a_shift_running_into_a_holiday_needs_a_leader_article_10():
    assert codes(check(shift(date(2026, 9, 30), officers=[1]))) == ["shift_leader_required"]
    assert check(shift(date(2026, 10, 8), officers=[1])) == []  # first working day after


def test_adjusted_working_day_needs_no_leader_article_10():
    assert check(shift(date(2026, 10, 10), officers=[1])) == []


def test_sensitive_period_needs_a_leader_flood_season_does_not_article_10():
    sensitive = period("sensitive", date(2026, 10, 13), date(2026, 10, 13))
    flood = period("flood_season", date(2026, 10, 13), date(2026, 10, 13))
    assert "shift_leader_required" in codes(check(shift(officers=[1, 2]), periods=[sensitive]))
    assert check(shift(officers=[1, 2], leader=3), periods=[sensitive]) == []
    assert check(shift(officers=[1, 2]), periods=[flood]) == []


def test_the_leader_must_be_able_to_lead_article_10():
    [v] = check(shift(date(2026, 10, 1), officers=[1], leader=2))
    assert (v.rule_code, v.article, v.person_id) == ("leader_not_qualified", "第十条", 2)
    assert "李四不具备带班资格" in v.message


def test_the_leader_is_not_one_of_the_officers_article_9():
    people = {**PEOPLE, 3: replace(WANG, can_lead_shift=True)}
    [v] = check(shift(date(2026, 10, 1), officers=[3], leader=3), people)
    assert (v.rule_code, v.article) == ("leader_is_officer", "第九条")


def test_a_temporary_leader_is_refused_article_9():
    people = {**PEOPLE, 3: replace(WANG, employment="temporary")}
    assert codes(check(shift(date(2026, 10, 1), officers=[1], leader=3), people)) == ["not_permanent"]


# --- 第九条 one post at a time; 第二十四条 rest --------------------------------------------------


def test_nobody_on_two_overlapping_shifts_article_9():
    first = shift(WORKDAY, officers=[1], id=1)
    second = shift(WORKDAY, officers=[1], id=2, hour=20, hours=12, unit=2)
    [v] = check(second, other_shifts=[first])
    assert (v.rule_code, v.article, v.person_id) == ("overlapping_shifts", "第九条", 1)
    assert "张三同时被安排在10月13日08:30–次日08:30班次" in v.message


def test_back_to_back_24_hour_shifts_break_the_rest_rule_article_24():
    first = shift(WORKDAY, officers=[1], id=1)
    second = shift(WORKDAY + timedelta(1), officers=[1], id=2)
    [v] = check(second, other_shifts=[first])
    assert (v.rule_code, v.article, v.day) == ("rest_too_short", "第二十四条", WORKDAY + timedelta(1))
    assert "张三距上一班次（10月13日08:30–次日08:30班次）仅休息0小时，少于8小时（第二十四条）" in v.message


def test_rest_rule_is_configurable_article_24():
    first = shift(WORKDAY, officers=[1], id=1)
    second = shift(WORKDAY + timedelta(1), officers=[1], id=2)
    assert check(second, other_shifts=[first], min_rest_hours=0) == []
    assert check(shift(WORKDAY + timedelta(2), officers=[1], id=3), other_shifts=[first]) == []


def test_the_rest_rule_counts_leading_too_article_24():
    first = shift(date(2026, 10, 1), officers=[1], leader=3, id=1)
    second = shift(date(2026, 10, 2), officers=[2], leader=3, id=2)
    assert codes(check(second, other_shifts=[first])) == ["rest_too_short"]


def test_editing_a_shift_does_not_clash_with_its_stored_self():
    stored = shift(WORKDAY, officers=[1], id=7)
    edited = shift(WORKDAY, officers=[1, 2], id=7)
    assert check(edited, other_shifts=[stored]) == []


# --- 第二、九条: 24-hour cover ---------------------------------------------------------------------


def test_a_november_roster_with_octobers_last_shift_is_covered_article_2_9():
    last_october = ShiftFacts(None, UNIT, at(date(2026, 10, 31)), at(date(2026, 11, 1)), [2])
    november = [ShiftFacts(n, UNIT, s, e, [1 if n % 2 == 0 else 3])
                for n, (s, e) in enumerate(shifts_for_month(UNIT, 2026, 11, TEMPLATE_SETS["full_day"]))]
    assert validate_roster(UNIT, [last_october, *november], PEOPLE, [], CAL, *month_window(2026, 11)) == []


def test_first_night_of_the_month_is_a_gap_without_the_previous_shift_article_2_9():
    shifts = [ShiftFacts(n, UNIT, s, e, [1 if n % 2 else 2]) for n, (s, e)
              in enumerate(shifts_for_month(UNIT, 2026, 11, TEMPLATE_SETS["full_day"]))]
    [v] = validate_roster(UNIT, shifts, PEOPLE, [], CAL, *month_window(2026, 11))
    assert (v.rule_code, v.article, v.day) == ("coverage_gap", "第二、九条", date(2026, 11, 1))
    assert v.message == "11月1日00:00–08:30无人值班，须保证每天24小时值班（第二、九条）"


def test_a_missing_shift_is_reported_per_local_day_article_2_9():
    shifts = [ShiftFacts(n, UNIT, s, e, [1 if n % 2 else 2])
              for n, (s, e) in enumerate(shifts_for_month(UNIT, 2026, 11, TEMPLATE_SETS["day_night"]))]
    shifts = [s for s in shifts if s.starts_at != at(date(2026, 11, 4), 18, 0)]
    found = validate_roster(UNIT, shifts, PEOPLE, [], CAL, at(date(2026, 11, 1)), at(date(2026, 11, 8), 0, 0))
    gaps = [v for v in found if v.rule_code == "coverage_gap"]
    assert [(v.day, v.message.split("无人")[0]) for v in gaps] == [
        (date(2026, 11, 4), "11月4日18:00–24:00"),
        (date(2026, 11, 5), "11月5日00:00–08:30"),
    ]
    assert gaps == found


def test_shifts_of_another_unit_do_not_cover_article_2_9():
    other = ShiftFacts(None, 2, at(date(2026, 11, 1), 0, 0), at(date(2026, 11, 2), 0, 0), [1])
    gaps = validate_roster(UNIT, [other], PEOPLE, [], CAL, at(date(2026, 11, 1), 0, 0), at(date(2026, 11, 2), 0, 0))
    assert codes(gaps) == ["coverage_gap"]


def test_roster_reports_only_its_own_shifts_in_the_window():
    before = ShiftFacts(1, UNIT, at(date(2026, 9, 30)), at(date(2026, 10, 1)), [99])  # unknown person, September
    inside = ShiftFacts(2, UNIT, at(date(2026, 10, 1)), at(date(2026, 10, 2)), [1], 3)
    found = validate_roster(UNIT, [before, inside], PEOPLE, [], CAL, at(date(2026, 10, 1)), at(date(2026, 10, 2)))
    assert found == []


def test_every_violation_cites_its_article():
    temp = PersonFacts(9, "钱七", "temporary")
    shifts = [ShiftFacts(1, UNIT, at(date(2026, 10, 1)), at(date(2026, 10, 2)), [9]),
              ShiftFacts(2, UNIT, at(date(2026, 10, 2)), at(date(2026, 10, 3)), [9, 9], 1)]
    flood = period("flood_season", date(2026, 10, 1), date(2026, 10, 5))
    found = validate_roster(UNIT, shifts, {**PEOPLE, 9: temp}, [flood], CAL, *month_window(2026, 10))
    assert {v.rule_code for v in found} >= {"not_permanent", "double_staffing_required", "shift_leader_required",
                                           "leader_not_qualified", "rest_too_short", "coverage_gap"}
    for v in found:
        assert v.article == RULES[v.rule_code] and v.message.endswith(f"（{v.article}）")


# --- templates -------------------------------------------------------------------------------------


def test_full_day_template_slots_run_08_30_to_08_30_in_shanghai():
    slots = shifts_for_month(UNIT, 2026, 10, TEMPLATE_SETS["full_day"])
    assert len(slots) == 31
    assert slots[0] == (datetime(2026, 10, 1, 0, 30, tzinfo=timezone.utc), datetime(2026, 10, 2, 0, 30, tzinfo=timezone.utc))
    assert all(a[1] == b[0] for a, b in zip(slots, slots[1:]))  # no gap, no overlap
    assert slots[-1][1] == at(date(2026, 11, 1))


def test_day_night_template_slots():
    slots = shifts_for_month(UNIT, 2026, 2, TEMPLATE_SETS["day_night"])
    assert len(slots) == 56
    assert slots[0] == (at(date(2026, 2, 1)), at(date(2026, 2, 1), 18, 0))
    assert slots[1] == (at(date(2026, 2, 1), 18, 0), at(date(2026, 2, 2)))
    assert all(a[1] == b[0] for a, b in zip(slots, slots[1:]))
    assert all(s.tzinfo == timezone.utc for s, _ in slots)


def test_custom_template():
    evening = ShiftTemplate("evening", "晚班", time(20, 0), timedelta(hours=4))
    assert shifts_for_month(UNIT, 2026, 10, [evening])[0] == (at(date(2026, 10, 1), 20, 0), at(date(2026, 10, 2), 0, 0))


def test_shift_times_must_be_aware_and_ordered():
    with pytest.raises(ValueError):
        ShiftFacts(None, UNIT, datetime(2026, 10, 1, 8, 30), datetime(2026, 10, 2, 8, 30))
    with pytest.raises(ValueError):
        ShiftFacts(None, UNIT, at(WORKDAY), at(WORKDAY))


def test_shift_labels_and_local_days_kept_per_time_are_those_of_the_plain_formulas():
    """shift_label and local_day remember their answers per moment (a month's check asks
    them hundreds of times); they answer as strftime and astimezone do, for times given in
    any zone, across midnight, a month's end and a year's end."""
    from rules.staffing import SHANGHAI, local_day, shift_label

    def plain_label(f: ShiftFacts) -> str:
        start, end = f.starts_at.astimezone(SHANGHAI), f.ends_at.astimezone(SHANGHAI)
        later = (end.date() - start.date()).days
        end_day = f"{end.month}月{end.day}日"
        return (f"{start.month}月{start.day}日{start.strftime('%H:%M')}–"
                f"{ {0: '', 1: '次日'}.get(later, end_day) }{end.strftime('%H:%M')}班次")

    base = datetime(2026, 12, 30, 16, 0, tzinfo=timezone.utc)
    zones = (timezone.utc, SHANGHAI, timezone(timedelta(hours=-5)))
    for n in range(0, 96 * 3, 7):
        start = (base + timedelta(minutes=15 * n)).astimezone(zones[n % 3])
        for hours in (9.5, 14.5, 24, 49):
            f = ShiftFacts(n, 1, start, start + timedelta(hours=hours))
            assert shift_label(f) == plain_label(f), (start, hours)
            assert shift_label(f) == shift_label(f)      # and again, remembered
            assert local_day(f.ends_at) == f.ends_at.astimezone(SHANGHAI).date()
            assert f.day == start.astimezone(SHANGHAI).date()
