"""Reporting deadlines (第二十一条) and verification clocks (第二十条、第二十一条).

Expectations are written out by hand from the regulation's table, one row per
level × category × sensitive, never derived from the implementation.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from rules.deadlines import (
    CHANNEL_LABELS,
    DEFAULT_TABLE,
    RECIPIENT_LABELS,
    Deadline,
    DeadlineTable,
    deadline_status,
    is_late,
    reporting_deadlines,
    validate_table,
    verification_deadlines,
)

OCCURRED = datetime(2026, 7, 1, 0, 0, tzinfo=timezone.utc)  # 08:00 Beijing
R = 4  # the desk receives the call 4 minutes after occurrence
RECEIVED = OCCURRED + timedelta(minutes=R)

# (recipient, channel, due minutes after occurrence, latest minutes after occurrence)
AT_ONCE = {  # 立即上报党政办负责人、当日带班领导和主要领导: due at receipt
    ("office_head", "phone", R, R),
    ("shift_leader", "phone", R, R),
    ("principal_leader", "phone", R, R),
}
DW = ("district_duty_office", "written", 60, 60)        # 较大以上 → 区政府, ≤ 1 小时
EW = ("district_emergency_bureau", "written", 60, 60)   # 自然灾害、事故灾难同时报区应急管理局
DP = ("district_duty_office", "phone", 10, 30)          # 重大、特别重大: 10 分钟, 最迟 30 分钟
EP = ("district_emergency_bureau", "phone", 10, 30)
S = ("district_duty_office", "phone", R, R)             # 敏感: 及时上报 (received before the 10 min)

EXPECTED = {
    # level, category, sensitive: the exact set of deadlines
    ("I", "natural_disaster", False): AT_ONCE | {DW, EW, DP, EP},
    ("I", "natural_disaster", True): AT_ONCE | {DW, EW, S, EP},
    ("I", "accident", False): AT_ONCE | {DW, EW, DP, EP},
    ("I", "accident", True): AT_ONCE | {DW, EW, S, EP},
    ("I", "public_health", False): AT_ONCE | {DW, DP, EP},
    ("I", "public_health", True): AT_ONCE | {DW, S, EP},
    ("I", "social_security", False): AT_ONCE | {DW, DP, EP},
    ("I", "social_security", True): AT_ONCE | {DW, S, EP},
    ("II", "natural_disaster", False): AT_ONCE | {DW, EW, DP, EP},
    ("II", "natural_disaster", True): AT_ONCE | {DW, EW, S, EP},
    ("II", "accident", False): AT_ONCE | {DW, EW, DP, EP},
    ("II", "accident", True): AT_ONCE | {DW, EW, S, EP},
    ("II", "public_health", False): AT_ONCE | {DW, DP, EP},
    ("II", "public_health", True): AT_ONCE | {DW, S, EP},
    ("II", "social_security", False): AT_ONCE | {DW, DP, EP},
    ("II", "social_security", True): AT_ONCE | {DW, S, EP},
    ("III", "natural_disaster", False): AT_ONCE | {DW, EW},
    ("III", "natural_disaster", True): AT_ONCE | {DW, EW, S},
    ("III", "accident", False): AT_ONCE | {DW, EW},
    ("III", "accident", True): AT_ONCE | {DW, EW, S},
    ("III", "public_health", False): AT_ONCE | {DW},
    ("III", "public_health", True): AT_ONCE | {DW, S},
    ("III", "social_security", False): AT_ONCE | {DW},
    ("III", "social_security", True): AT_ONCE | {DW, S},
    ("IV", "natural_disaster", False): set(),
    ("IV", "natural_disaster", True): {S},
    ("IV", "accident", False): set(),
    ("IV", "accident", True): {S},
    ("IV", "public_health", False): set(),
    ("IV", "public_health", True): {S},
    ("IV", "social_security", False): set(),
    ("IV", "social_security", True): {S},
    (None, "natural_disaster", False): set(),
    (None, "natural_disaster", True): {S},
    (None, "accident", False): set(),
    (None, "accident", True): {S},
    (None, "public_health", False): set(),
    (None, "public_health", True): {S},
    (None, "social_security", False): set(),
    (None, "social_security", True): {S},
}


def minutes(dt: datetime, start: datetime = OCCURRED) -> float:
    return (dt - start) / timedelta(minutes=1)


def shape(deadlines: list[Deadline], start: datetime = OCCURRED) -> set:
    return {(d.recipient, d.channel, minutes(d.due_at, start), minutes(d.latest_at, start))
            for d in deadlines}


def test_the_expectation_table_covers_every_case():
    """第二十一条: 5 levels × 4 categories × sensitive or not = 40 cases."""
    assert len(EXPECTED) == 40


@pytest.mark.parametrize("level,category,sensitive", list(EXPECTED),
                         ids=lambda v: str(v))
def test_reporting_deadlines_case_by_case(level, category, sensitive):
    """第二十一条: the exact set of (recipient, channel, due, latest), no duplicates."""
    found = reporting_deadlines(category, level, OCCURRED, RECEIVED, sensitive=sensitive)
    assert shape(found) == EXPECTED[(level, category, sensitive)]
    assert len(found) == len({(d.recipient, d.channel) for d in found})
    assert all(d.article == "第二十一条" for d in found)


@pytest.mark.parametrize("level", ["I", "II", "III", "IV", None])
@pytest.mark.parametrize("sensitive", [False, True])
def test_clocks_start_at_occurrence_or_receipt_and_are_ordered(level, sensitive):
    """第二十一条: district clocks run from 事发时间, "at once" ones from 接报时间; most urgent first."""
    found = reporting_deadlines("accident", level, OCCURRED, RECEIVED, sensitive=sensitive)
    for d in found:
        expected_start = RECEIVED if d.due_at == RECEIVED else OCCURRED
        assert d.starts_at == expected_start
        assert d.latest_at >= d.due_at
    assert [d.due_at for d in found] == sorted(d.due_at for d in found)


def test_sensitive_major_received_late_keeps_the_earlier_ten_minute_clock():
    """第二十一条: sensitive + major both owe 总值班室 a phone report; the earlier one counts."""
    received = OCCURRED + timedelta(minutes=25)
    found = reporting_deadlines("accident", "II", OCCURRED, received, sensitive=True)
    phone = [d for d in found if (d.recipient, d.channel) == ("district_duty_office", "phone")]
    assert [(minutes(d.due_at), minutes(d.latest_at), d.starts_at) for d in phone] == [(10, 30, OCCURRED)]


def test_sensitive_major_tie_keeps_the_stricter_latest():
    """第二十一条: equal due times → the one with the earlier latest time is kept, once."""
    received = OCCURRED + timedelta(minutes=10)
    found = reporting_deadlines("public_health", "I", OCCURRED, received, sensitive=True)
    phone = [d for d in found if (d.recipient, d.channel) == ("district_duty_office", "phone")]
    assert [(minutes(d.due_at), minutes(d.latest_at)) for d in phone] == [(10, 10)]


def test_sensitive_larger_keeps_phone_and_written_to_the_district():
    """第二十一条、第二十二条: the prompt (phone) and the 1-hour written report are both owed."""
    found = reporting_deadlines("social_security", "III", OCCURRED, RECEIVED, sensitive=True)
    district = {(d.channel, minutes(d.due_at)) for d in found if d.recipient == "district_duty_office"}
    assert district == {("phone", R), ("written", 60)}


def test_other_timezones_give_the_same_instants():
    """第二十一条: clocks are instants; Beijing-time input equals UTC input."""
    sh = ZoneInfo("Asia/Shanghai")
    found = reporting_deadlines("accident", "I", OCCURRED.astimezone(sh), RECEIVED.astimezone(sh))
    assert shape(found) == EXPECTED[("I", "accident", False)]


def test_received_at_the_moment_of_occurrence_is_allowed():
    """第二十一条: 事发即接报 is a valid case."""
    found = reporting_deadlines("accident", "III", OCCURRED, OCCURRED)
    assert shape(found) == {("office_head", "phone", 0, 0), ("shift_leader", "phone", 0, 0),
                            ("principal_leader", "phone", 0, 0), DW, EW}


# --- verification requests (核报) -------------------------------------------------------

def test_verification_by_phone_within_15_minutes():
    """第二十条、第二十一条: 电话反馈不得超过15分钟."""
    found = verification_deadlines(OCCURRED)
    assert shape(found) == {("district_duty_office", "phone", 15, 15)}
    assert found[0].article == "第二十条、第二十一条" and found[0].starts_at == OCCURRED


def test_verification_in_writing_within_one_hour_when_asked():
    """第二十条、第二十一条: 明确要求书面信息的，反馈时间不得超过1小时."""
    found = verification_deadlines(OCCURRED, written_required=True)
    assert shape(found) == {("district_duty_office", "phone", 15, 15),
                            ("district_duty_office", "written", 60, 60)}
    assert all(d.article == "第二十条、第二十一条" and d.starts_at == OCCURRED for d in found)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,fragment", [
    ({"category": "flood"}, "flood"),
    ({"category": None}, "None"),
    ({"level": "V"}, "'V'"),
    ({"level": "iii"}, "'iii'"),
    ({"level": 3}, "3"),
    ({"occurred_at": datetime(2026, 7, 1, 8, 0)}, "事发时间"),
    ({"received_at": datetime(2026, 7, 1, 8, 4)}, "接报时间"),
    ({"occurred_at": RECEIVED + timedelta(seconds=1)}, "不能晚于接报时间"),
])
def test_bad_input_is_refused_with_a_clear_message(kwargs, fragment):
    """第二十一条: a wrong code or time would compute a wrong clock; refuse it and name the value."""
    args = {"category": "accident", "level": "II", "occurred_at": OCCURRED, "received_at": RECEIVED}
    args.update(kwargs)
    with pytest.raises(ValueError, match=fragment):
        reporting_deadlines(**args)


def test_naive_verification_time_is_refused():
    """第二十条: the request time must be an instant."""
    with pytest.raises(ValueError, match="核报要求时间"):
        verification_deadlines(datetime(2026, 7, 1, 8, 0))


# --- the table: defaults, tightening, validation ------------------------------------------

def test_default_table_is_the_regulation():
    """第二十一条: 1 小时, 10 分钟 / 30 分钟, 15 分钟, 1 小时."""
    assert DEFAULT_TABLE == DeadlineTable(
        district_written_minutes=60, major_phone_minutes=10, major_phone_latest_minutes=30,
        verification_phone_minutes=15, verification_written_minutes=60)
    assert validate_table(DEFAULT_TABLE) == []


def test_a_tighter_office_table_is_used():
    """第二十一条: the office may require faster reports than the regulation."""
    tight = DeadlineTable(district_written_minutes=45, major_phone_minutes=5,
                          major_phone_latest_minutes=20, verification_phone_minutes=10,
                          verification_written_minutes=30)
    assert validate_table(tight) == []
    found = reporting_deadlines("natural_disaster", "I", OCCURRED, RECEIVED, table=tight)
    assert shape(found) == AT_ONCE | {
        ("district_duty_office", "written", 45, 45), ("district_emergency_bureau", "written", 45, 45),
        ("district_duty_office", "phone", 5, 20), ("district_emergency_bureau", "phone", 5, 20)}
    assert shape(verification_deadlines(OCCURRED, True, table=tight)) == {
        ("district_duty_office", "phone", 10, 10), ("district_duty_office", "written", 30, 30)}


def test_a_looser_table_is_reported_and_never_used():
    """第二十一条: no office table may give more time than the regulation."""
    loose = DeadlineTable(district_written_minutes=90)
    problems = validate_table(loose)
    assert len(problems) == 1
    assert "90" in problems[0] and "60" in problems[0] and "第二十一条" in problems[0]
    with pytest.raises(ValueError, match="第二十一条"):
        reporting_deadlines("accident", "III", OCCURRED, RECEIVED, table=loose)
    with pytest.raises(ValueError, match="第二十一条"):
        verification_deadlines(OCCURRED, table=DeadlineTable(verification_phone_minutes=20))


@pytest.mark.parametrize("value", [0, -5, 2.5, "10", True, None])
def test_non_positive_or_non_integer_minutes_are_problems(value):
    """第二十一条: a clock needs a positive whole number of minutes."""
    problems = validate_table(DeadlineTable(verification_phone_minutes=value))
    assert len(problems) == 1
    assert "核报电话反馈时限" in problems[0] and "正整数" in problems[0] and "第二十一条" in problems[0]


def test_due_after_latest_is_a_problem():
    """第二十一条: the 10-minute target cannot lie beyond the 30-minute limit."""
    problems = validate_table(DeadlineTable(major_phone_minutes=10, major_phone_latest_minutes=8))
    assert problems and "不得晚于" in problems[0] and "第二十一条" in problems[0]


def test_validation_against_another_reference_table():
    """第二十一条: validate_table compares with the given reference (default: the regulation)."""
    stricter_reference = DeadlineTable(district_written_minutes=30)
    assert validate_table(DEFAULT_TABLE, default=stricter_reference)
    assert validate_table(DEFAULT_TABLE) == []


# --- live status and lateness -------------------------------------------------------------

PHONE_15 = verification_deadlines(OCCURRED)[0]  # starts at OCCURRED, due 15 minutes later


@pytest.mark.parametrize("after,expected", [
    (timedelta(0), "normal"),
    (timedelta(minutes=7), "normal"),
    (timedelta(minutes=7, seconds=30), "amber"),   # half of 15 minutes gone
    (timedelta(minutes=15), "amber"),              # due now, not yet past
    (timedelta(minutes=15, seconds=1), "red"),
    (timedelta(hours=5), "red"),                   # red stays until done
])
def test_status_colours(after, expected):
    """第二十一条: the desk shows normal, amber when half the time is gone, red when overdue."""
    assert deadline_status(PHONE_15, OCCURRED + after) == expected


def test_done_is_done_even_after_the_deadline():
    """第二十一条: a satisfied deadline leaves the desk's red list."""
    assert deadline_status(PHONE_15, OCCURRED + timedelta(hours=5),
                           done_at=OCCURRED + timedelta(hours=1)) == "done"


def test_an_at_once_report_is_red_as_soon_as_time_passes():
    """第二十一条: 立即上报 has no grace period."""
    leader = next(d for d in reporting_deadlines("accident", "III", OCCURRED, RECEIVED)
                  if d.recipient == "shift_leader")
    assert deadline_status(leader, RECEIVED) == "amber"
    assert deadline_status(leader, RECEIVED + timedelta(seconds=1)) == "red"


def test_without_a_start_there_is_no_amber_phase():
    """第二十一条: no start known → normal until due, then red."""
    d = Deadline("district_duty_office", "written", OCCURRED, OCCURRED, "第二十一条")
    assert deadline_status(d, OCCURRED - timedelta(minutes=1)) == "normal"
    assert deadline_status(d, OCCURRED + timedelta(seconds=1)) == "red"


def test_late_means_sent_after_due_at():
    """第二十一条: sent after due_at needs a reason (说明原因), even inside the 30-minute limit."""
    major = next(d for d in reporting_deadlines("accident", "II", OCCURRED, RECEIVED + timedelta(minutes=20))
                 if (d.recipient, d.channel) == ("district_duty_office", "phone"))
    assert not is_late(major, OCCURRED + timedelta(minutes=10))
    assert is_late(major, OCCURRED + timedelta(minutes=10, seconds=1))
    assert is_late(major, OCCURRED + timedelta(minutes=25))


def test_naive_times_are_refused_by_status_and_lateness():
    """第二十一条: clocks compare instants only."""
    with pytest.raises(ValueError, match="当前时间"):
        deadline_status(PHONE_15, datetime(2026, 7, 1, 8, 0))
    with pytest.raises(ValueError, match="报送时间"):
        is_late(PHONE_15, datetime(2026, 7, 1, 8, 0))


# --- labels ---------------------------------------------------------------------------------

def test_labels_are_the_regulation_terms():
    """第二十一条: recipients and channels as the regulation names them."""
    assert RECIPIENT_LABELS == {
        "district_duty_office": "区政府办公室总值班室",
        "district_emergency_bureau": "区应急管理局",
        "office_head": "党政办负责人",
        "shift_leader": "带班领导",
        "principal_leader": "主要领导",
    }
    assert CHANNEL_LABELS == {"phone": "电话", "written": "书面"}
    assert PHONE_15.label == "区政府办公室总值班室（电话）"


def test_deadline_is_immutable():
    """第二十一条: a computed clock is not edited in place; raising the level recomputes."""
    with pytest.raises(AttributeError):
        PHONE_15.due_at = OCCURRED  # type: ignore[misc]
