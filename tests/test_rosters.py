"""Rosters through the services, on SQLite and PostgreSQL.

Each staffing rule surfaces with a case that breaks it and one that keeps it: 第九条
(permanent staff only, double staffing, one post at a time), 第十六条 (training), 第二、九条
(24-hour cover), 第十条 (shift leader), 第二十四条 (rest). Temporary staff are refused at
assignment time (第九条); publishing with violations is refused (and audited); the
auto-scheduler plans a flood-season October with 国庆节 without violations.
"""
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from duty_support import local, make_actor, make_person, make_street, make_unit
from models.audit import AuditEvent
from models.org import Person
from models.roster import Shift
from services import calendar, rosters
from services.directory import people
from services.errors import ConcurrentEditError, DomainError, PermissionDenied, ValidationError
from services.paging import Paged
from services.permissions import SYSTEM_ACTOR
from services.roster_common import RosterViolations
from services.uow import reading, transaction

WORKDAY = date(2026, 10, 13)     # an ordinary Tuesday after the flood season
NATIONAL_DAY = date(2026, 10, 1)


@pytest.fixture
def street(db, frozen_clock):
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    st = make_street()
    st.admin = make_actor("office", {"office_admin"})
    return st


@pytest.fixture
def flood(street):
    start, end = calendar.whole_days(date(2026, 10, 1), date(2026, 10, 15))
    return calendar.create_special_period(street.admin, calendar.PeriodData(
        "flood_season", "2026年防汛期", start, end))


def _events(action):
    with reading() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars())


def _october(street, template_set="full_day"):
    rosters.create_month(street.admin, street.unit_id, 2026, 10, template_set)
    return rosters.month_view(street.admin, street.unit_id, 2026, 10)


def _shift(view, day, code="full_day"):
    return next(r for r in view.shifts if r.day == day and r.template_code == code)


def _staff(street, day, officers, leader=None, view=None):
    view = view or rosters.month_view(street.admin, street.unit_id, 2026, 10)
    row = _shift(view, day)
    return rosters.set_staffing(street.admin, row.id, row.version, officers, leader)


def _codes(violations):
    return [v.rule_code for v in violations]


# ---------------------------------------------------------------- 第九条: who may be on duty

def test_temporary_worker_is_refused_at_assignment_article_9(street):
    view = _october(street)
    row = _shift(view, WORKDAY)
    with pytest.raises(ValidationError) as err:
        rosters.set_staffing(street.admin, row.id, row.version, [street.temp])
    assert str(err.value) == "临时工为临时人员，不得安排值班（第九条）"
    with pytest.raises(ValidationError, match="编外员为编外人员，不得安排值班（第九条）"):
        rosters.assign_officer(street.admin, row.id, row.version, street.contract)
    with pytest.raises(ValidationError, match="临时工为临时人员，不得安排值班（第九条）"):
        rosters.set_leader(street.admin, row.id, row.version, street.temp)
    # nothing was saved
    assert _shift(rosters.month_view(street.admin, street.unit_id, 2026, 10), WORKDAY).officers == ()


def test_people_of_another_unit_are_refused(street):
    other = make_unit("径河村")
    stranger = make_person(other, "外单位")
    row = _shift(_october(street), WORKDAY)
    with pytest.raises(ValidationError, match="外单位不是柏泉村的人员"):
        rosters.set_staffing(street.admin, row.id, row.version, [stranger])


def test_permanent_trained_officer_keeps_article_9(street):
    _october(street)
    result = _staff(street, WORKDAY, [street.officers["张三"]])
    assert result.violations == []
    row = _shift(rosters.month_view(street.admin, street.unit_id, 2026, 10), WORKDAY)
    assert [o.name for o in row.officers] == ["张三"] and row.version == result.version


def test_deactivated_after_rostering_shows_article_9(street):
    _october(street)
    _staff(street, WORKDAY, [street.officers["张三"]])
    with transaction() as s:
        s.get(Person, street.officers["张三"]).active = False
    row = _shift(rosters.month_view(street.admin, street.unit_id, 2026, 10), WORKDAY)
    assert [(v.rule_code, v.article) for v in row.violations] == [("inactive_person", "第九条")]


# ---------------------------------------------------------------- 第十六条: training

def test_pre_job_training_breaks_and_keeps_article_16(street):
    _october(street)
    broken = _staff(street, WORKDAY, [street.untrained])
    assert _codes(broken.violations) == ["pre_job_training_missing"]
    assert broken.violations[0].article == "第十六条" and "新同志" in broken.violations[0].message
    with transaction() as s:
        s.get(Person, street.untrained).pre_job_trained_on = date(2026, 6, 1)
    assert _staff(street, WORKDAY, [street.untrained]).violations == []


def test_yearly_training_breaks_and_keeps_article_16(street):
    _october(street)
    late = make_person(street.unit_id, "老同志", pre_job_trained_on=date(2020, 3, 1),
                       yearly_trained_on=date(2025, 9, 30))
    broken = _staff(street, WORKDAY, [late])
    assert _codes(broken.violations) == ["yearly_training_overdue"]
    assert "超过12个月" in broken.violations[0].message and "（第十六条）" in broken.violations[0].message
    with transaction() as s:
        s.get(Person, late).yearly_trained_on = date(2026, 5, 1)
    assert _staff(street, WORKDAY, [late]).violations == []


# ---------------------------------------------------------------- 第九条: double staffing

def test_double_staffing_in_flood_season_breaks_and_keeps_article_9(street, flood):
    _october(street)
    day = date(2026, 10, 12)
    broken = _staff(street, day, [street.officers["张三"]])
    assert _codes(broken.violations) == ["double_staffing_required"]
    assert "防汛期" in broken.violations[0].message and broken.violations[0].article == "第九条"
    kept = _staff(street, day, [street.officers["张三"], street.officers["李四"]])
    assert kept.violations == []
    row = _shift(rosters.month_view(street.admin, street.unit_id, 2026, 10), day)
    assert row.required_officers == 2


def test_period_of_other_units_does_not_double(street):
    other = make_unit("径河村")
    start, end = calendar.whole_days(date(2026, 10, 12), date(2026, 10, 14))
    calendar.create_special_period(street.admin, calendar.PeriodData(
        "major_incident", "径河村火灾", start, end, unit_ids=(other,)))
    _october(street)
    assert _staff(street, WORKDAY, [street.officers["张三"]]).violations == []


# ---------------------------------------------------------------- 第十条: shift leader

def test_shift_leader_on_national_day_breaks_and_keeps_article_10(street):
    _october(street)
    broken = _staff(street, NATIONAL_DAY, [street.officers["张三"]])
    assert _codes(broken.violations) == ["shift_leader_required"]
    assert "国庆节" in broken.violations[0].message and broken.violations[0].article == "第十条"
    kept = _staff(street, NATIONAL_DAY, [street.officers["张三"]], street.leaders["冯主任"])
    assert kept.violations == []


def test_shift_leader_in_sensitive_period_article_10(street):
    start, end = calendar.whole_days(date(2026, 10, 20), date(2026, 10, 22))
    calendar.create_special_period(street.admin, calendar.PeriodData(
        "sensitive", "重要会议期间", start, end, double_staffing=False))
    _october(street)
    day = date(2026, 10, 21)
    assert _codes(_staff(street, day, [street.officers["张三"]]).violations) == ["shift_leader_required"]
    assert _staff(street, day, [street.officers["张三"]], street.leaders["陈主任"]).violations == []


def test_leader_must_be_qualified_and_not_an_officer_articles_9_10(street):
    _october(street)
    assert _codes(_staff(street, NATIONAL_DAY, [street.officers["张三"]],
                         street.officers["李四"]).violations) == ["leader_not_qualified"]
    leader = street.leaders["冯主任"]
    assert _codes(_staff(street, NATIONAL_DAY, [leader], leader).violations) == ["leader_is_officer"]


# ---------------------------------------------------------------- 第九条: one post at a time; 第二十四条 rest

def test_rest_between_shifts_breaks_and_keeps_article_24(street):
    _october(street)
    zhang = street.officers["张三"]
    _staff(street, WORKDAY, [zhang])
    broken = _staff(street, WORKDAY + timedelta(1), [zhang])
    assert _codes(broken.violations) == ["rest_too_short"] and broken.violations[0].article == "第二十四条"
    _staff(street, WORKDAY + timedelta(1), [street.officers["李四"]])
    assert _staff(street, WORKDAY + timedelta(2), [zhang]).violations == []


def test_overlapping_posts_in_two_units_break_article_9(street):
    """Somebody moved to another unit keeps their old post: the new one overlaps it."""
    _october(street)
    zhang = street.officers["张三"]
    _staff(street, WORKDAY, [zhang])
    other = make_unit("径河村")
    rosters.create_month(street.admin, other, 2026, 10, "day_night")
    with transaction() as s:
        s.get(Person, zhang).unit_id = other
    view = rosters.month_view(street.admin, other, 2026, 10)
    night = next(r for r in view.shifts if r.day == WORKDAY and r.template_code == "night")
    broken = rosters.set_staffing(street.admin, night.id, night.version, [zhang])
    assert "overlapping_shifts" in _codes(broken.violations)
    day_after = next(r for r in view.shifts if r.day == WORKDAY + timedelta(2) and r.template_code == "day")
    assert rosters.set_staffing(street.admin, day_after.id, day_after.version, [zhang]).violations == []


# ---------------------------------------------------------------- 第二、九条: 24-hour cover

def test_coverage_gap_breaks_and_keeps_articles_2_9(street):
    """A month laid from a template covers every day; a hole in the month before shows."""
    rosters.create_month(street.admin, street.unit_id, 2026, 9)
    _october(street)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert "coverage_gap" not in _codes(view.violations)
    with transaction() as s:  # September's last shift is gone
        last = s.execute(select(Shift).where(Shift.starts_at == local(date(2026, 9, 30), 8, 30),
                                             Shift.unit_id == street.unit_id)).scalar_one()
        s.delete(last)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    gaps = [v for v in view.day_violations if v.rule_code == "coverage_gap"]
    assert [(v.day, v.article) for v in gaps] == [(date(2026, 10, 1), "第二、九条")]
    assert "10月1日00:00–08:30无人值班" in gaps[0].message


def test_empty_shift_has_no_duty_officer_article_9(street):
    view = _october(street)
    assert len(view.shifts) == 31 and view.status == "draft"
    assert Counter(_codes(view.violations))["no_duty_officer"] == 31


# ---------------------------------------------------------------- auto-scheduling and publishing

def test_auto_schedule_flood_season_october_with_national_day_then_publish(street, flood):
    report = rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=3)
    assert report.violations == [] and report.explanations == [] and report.shifts == 31
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert view.violations == [] and view.warnings == []
    for row in view.shifts:
        ids = {o.id for o in row.officers}
        assert not ids & {street.temp, street.contract, street.untrained}       # 第九、十六条
        assert len(ids) == (2 if row.day <= date(2026, 10, 15) else 1)           # 第九条 flood
        assert (row.leader is not None) == (row.day <= date(2026, 10, 7))       # 第十条 国庆节
    counts = Counter(o.id for row in view.shifts for o in row.officers)
    eligible = [*street.officers.values(), *street.leaders.values()]
    assert max(counts[p] for p in eligible) - min(counts[p] for p in eligible) <= 1  # fair
    rosters.publish(street.admin, view.roster_id, view.roster_version)
    published = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert published.status == "published" and not published.can_edit
    assert _events("roster.publish")[-1].outcome == "success"
    # A published roster is changed through swaps only.
    row = published.shifts[20]
    with pytest.raises(DomainError, match="已发布"):
        rosters.set_staffing(street.admin, row.id, row.version, [street.officers["张三"]])


def test_auto_schedule_respects_leave_and_history(street):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 9)
    zhang = street.officers["张三"]
    added = rosters.add_unavailability(street.admin, zhang, date(2026, 10, 10), date(2026, 10, 20), "年休假")
    assert added == 11
    report = rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=1)
    assert report.violations == []
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert view.violations == []   # September's last shift counts for rest and cover
    for row in view.shifts:
        touched = {row.day, row.day + timedelta(1)}
        if touched & {date(2026, 10, 10) + timedelta(n) for n in range(11)}:
            assert zhang not in {o.id for o in row.officers}
    rows = rosters.list_unavailability(street.admin, street.unit_id, 2026, 10)
    assert len(rows) == 11 and rows[0].person_name == "张三"


def test_a_month_planned_after_the_next_keeps_the_boundary_article_24(street):
    """September planned after October: October's first officers are kept off 30 September,
    and a pair the two months form by hand shows in September's view too."""
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=4)
    report = rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 9, seed=4)
    assert report.violations == []
    assert rosters.month_view(street.admin, street.unit_id, 2026, 10).violations == []
    first = rosters.month_view(street.admin, street.unit_id, 2026, 10).shifts[0].officers[0].id
    sept = rosters.month_view(street.admin, street.unit_id, 2026, 9)
    last = sept.shifts[-1]
    rosters.set_staffing(street.admin, last.id, last.version, [first])
    sept = rosters.month_view(street.admin, street.unit_id, 2026, 9)
    pair = [v for v in sept.violations if v.rule_code == "rest_too_short"]
    assert [(v.day, v.person_id) for v in pair] == [(date(2026, 10, 1), first)]
    with pytest.raises(RosterViolations):
        rosters.publish(street.admin, sept.roster_id, sept.roster_version)


def test_leave_conflict_is_warned(street):
    _october(street)
    _staff(street, WORKDAY, [street.officers["张三"]])
    rosters.add_unavailability(street.admin, street.officers["张三"], WORKDAY, WORKDAY, "病假")
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert any("张三10月13日已登记不可排班（病假）" in w for w in view.warnings)


def test_auto_schedule_explains_what_cannot_be_met(street, flood):
    small = make_unit("小单位")
    make_person(small, "独一人")
    report = rosters.auto_schedule_month(street.admin, small, 2026, 10)
    assert report.violations and any("双人值班（第九条）" in e for e in report.explanations)
    assert any("领导带班（第十条）" in e for e in report.explanations)


def test_publish_is_refused_with_the_violations_and_audited(street):
    view = _october(street)
    with pytest.raises(RosterViolations) as err:
        rosters.publish(street.admin, view.roster_id, view.roster_version)
    assert len(err.value.violations) == len(view.violations) > 0
    assert "不能发布" in str(err.value) and "未安排值班员（第九条）" in str(err.value)
    assert rosters.month_view(street.admin, street.unit_id, 2026, 10).status == "draft"
    refused = _events("roster.publish")
    assert refused and refused[-1].outcome == "refused"


def test_unpublish_then_edit(street, flood):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    rosters.publish(street.admin, view.roster_id, view.roster_version)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    rosters.unpublish(street.admin, view.roster_id, view.roster_version)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert view.status == "draft" and view.can_edit


def test_roster_statuses(street):
    _october(street)
    rows = rosters.roster_statuses(street.admin, 2026, 10)
    mine = next(r for r in rows if r.unit_id == street.unit_id)
    assert (mine.status_label, mine.shifts, mine.unstaffed) == ("草稿", 31, 31)


# ---------------------------------------------------------------- optimistic locking, permissions

def test_stale_shift_and_roster_edits_are_refused(street):
    view = _october(street)
    row = _shift(view, WORKDAY)
    rosters.set_staffing(street.admin, row.id, row.version, [street.officers["张三"]])
    with pytest.raises(ConcurrentEditError):
        rosters.set_staffing(street.admin, row.id, row.version, [street.officers["李四"]])
    with pytest.raises(ConcurrentEditError):
        rosters.publish(street.admin, view.roster_id, view.roster_version + 7)


def test_unit_duty_officer_cannot_edit_another_units_roster(street):
    other = make_unit("径河村")
    clerk = make_actor("jinghe", {"unit_duty_officer"}, unit_id=other)
    row = _shift(_october(street), WORKDAY)
    with pytest.raises(PermissionDenied):
        rosters.set_staffing(clerk, row.id, row.version, [street.officers["张三"]])
    with pytest.raises(PermissionDenied):
        rosters.create_month(clerk, street.unit_id, 2026, 11)
    denied = _events("permission_denied")
    assert [e.details["action"] for e in denied[-2:]] == ["roster.edit", "roster.edit"]
    assert denied[-1].username == "jinghe" and denied[-1].outcome == "denied"
    # their own unit is theirs to plan
    assert rosters.create_month(clerk, other, 2026, 10)


def test_three_admins_get_no_roster_actions(street):
    sysadm = make_actor("sysadm", {"system_admin"})
    with pytest.raises(PermissionDenied):
        rosters.month_view(sysadm, street.unit_id, 2026, 10)


# ---------------------------------------------------------------- swaps and substitutions

@pytest.fixture
def published(street, flood):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=5)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    rosters.publish(street.admin, view.roster_id, view.roster_version)
    return rosters.month_view(street.admin, street.unit_id, 2026, 10)


def _people_on(view, day):
    row = next(r for r in view.shifts if r.day == day)
    return {o.id for o in row.officers} | ({row.leader.id} if row.leader else set())


def _actor_for(street, pid, name):
    return make_actor(name, {"duty_officer"}, unit_id=street.unit_id, person_id=pid)


def test_substitution_request_accept_approve(street, published):
    day = date(2026, 10, 20)
    row = next(r for r in published.shifts if r.day == day)
    giver = row.officers[0].id
    busy = _people_on(published, day - timedelta(1)) | _people_on(published, day) | \
        _people_on(published, day + timedelta(1))
    taker = next(p for p in street.officers.values() if p not in busy)
    giver_actor = _actor_for(street, giver, "giver")
    taker_actor = _actor_for(street, taker, "taker")
    leader_actor = make_actor("leader", {"shift_leader"})

    swap_id = rosters.request_swap(giver_actor, row.id, giver, taker, "substitution", reason="家中有事")
    swap = rosters.list_swaps(street.admin, street.unit_id)[0]
    assert (swap.id, swap.state_label, swap.kind_label) == (swap_id, "待同事确认", "替班")
    with pytest.raises(PermissionDenied):
        rosters.accept_swap(giver_actor, swap_id, swap.version)  # only the colleague answers
    rosters.accept_swap(taker_actor, swap_id, swap.version)
    swap = rosters.list_swaps(street.admin, street.unit_id)[0]
    with pytest.raises(PermissionDenied):
        rosters.approve_swap(taker_actor, swap_id, swap.version)  # a party, and no leader
    rosters.approve_swap(leader_actor, swap_id, swap.version)
    after = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    changed = next(r for r in after.shifts if r.id == row.id)
    assert taker in {o.id for o in changed.officers} and giver not in {o.id for o in changed.officers}
    assert after.violations == []
    assert rosters.list_swaps(street.admin, street.unit_id)[0].state == "approved"


def test_approval_recheck_refuses_a_substitution_that_breaks_the_rest_rule_article_24(street, published):
    day = date(2026, 10, 20)
    row = next(r for r in published.shifts if r.day == day)
    giver = row.officers[0].id
    tomorrow = next(r for r in published.shifts if r.day == day + timedelta(1))
    taker = tomorrow.officers[0].id   # on duty the next day: no rest in between
    giver_actor = _actor_for(street, giver, "giver")
    taker_actor = _actor_for(street, taker, "taker")
    leader_actor = make_actor("leader", {"shift_leader"})
    swap_id = rosters.request_swap(giver_actor, row.id, giver, taker)
    rosters.accept_swap(taker_actor, swap_id, rosters.list_swaps(street.admin)[0].version)
    version = rosters.list_swaps(street.admin)[0].version
    with pytest.raises(RosterViolations) as err:
        rosters.approve_swap(leader_actor, swap_id, version)
    assert "不能批准" in str(err.value)
    assert {v.rule_code for v in err.value.violations} == {"rest_too_short"}
    assert all(v.article == "第二十四条" for v in err.value.violations)
    swap = rosters.list_swaps(street.admin)[0]
    assert swap.state == "accepted"           # still open; nothing moved
    assert giver in _people_on(rosters.month_view(street.admin, street.unit_id, 2026, 10), day)
    assert _events("swap.approve")[-1].outcome == "refused"
    rosters.reject_swap(leader_actor, swap_id, swap.version, "休息不足")
    assert rosters.list_swaps(street.admin)[0].state_label == "未批准"


def test_swap_history_is_paged_newest_first(street, published):
    giver = published.shifts[0].officers[0].id
    theirs = [r for r in published.shifts if r.day >= date(2026, 10, 5)
              and giver in {o.id for o in r.officers}][:3]
    taker = next(p for p in street.officers.values() if p != giver)
    giver_actor = _actor_for(street, giver, "giver")
    ids = [rosters.request_swap(giver_actor, r.id, giver, taker, "substitution", reason=f"事由{n}")
           for n, r in enumerate(theirs)]
    assert len(ids) == 3
    first = rosters.swaps_page(street.admin, page=1, per_page=2)
    assert (first.total, first.pages, [sw.id for sw in first.rows]) == (3, 2, ids[:0:-1])
    second = rosters.swaps_page(street.admin, page=2, per_page=2)
    assert [sw.reason for sw in second.rows] == ["事由0"]
    assert [sw.id for sw in rosters.list_swaps(street.admin)] == ids[::-1]
    assert rosters.swaps_page(street.admin, person_id=taker).total == 3
    other = next(p for p in street.officers.values() if p not in (giver, taker))
    assert rosters.swaps_page(street.admin, person_id=other).total == 0
    # The page's rows are the list's rows; one past the end (the list shrank) is the last.
    assert first.rows + second.rows == rosters.list_swaps(street.admin)
    gone = rosters.swaps_page(street.admin, page=5, per_page=2)
    assert (gone.page, gone.total, [sw.id for sw in gone.rows]) == (2, 3, ids[:1])
    # A unit's officer sees their unit's requests; another unit's, none of them.
    clerk = make_actor("clerk", {"unit_duty_officer"}, unit_id=street.unit_id)
    assert rosters.swaps_page(clerk, per_page=2) == first
    stranger = make_actor("jinghe", {"unit_duty_officer"}, unit_id=make_unit("径河村"))
    assert rosters.swaps_page(stranger, page=3) == Paged([], 0, 1, 20)


def test_swap_exchanges_two_shifts(street, published):
    def free(pid, day):
        return all(pid not in _people_on(published, day + timedelta(n)) for n in (-1, 0, 1))

    rows = [r for r in published.shifts if r.day >= date(2026, 10, 18)]
    pair = next((a, b, x.id, y.id) for a in rows for b in rows if b.day - a.day >= timedelta(3)
                for x in a.officers for y in b.officers
                if x.id != y.id and free(x.id, b.day) and free(y.id, a.day))
    first, second, giver, taker = pair
    giver_actor = _actor_for(street, giver, "giver")
    taker_actor = _actor_for(street, taker, "taker")
    swap_id = rosters.request_swap(giver_actor, first.id, giver, taker, "swap", other_shift_id=second.id)
    rosters.accept_swap(taker_actor, swap_id, rosters.list_swaps(street.admin)[0].version)
    rosters.approve_swap(make_actor("leader", {"shift_leader"}), swap_id,
                         rosters.list_swaps(street.admin)[0].version)
    after = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    assert taker in _people_on(after, first.day) and giver in _people_on(after, second.day)
    assert giver not in _people_on(after, first.day) and after.violations == []


def test_swap_to_a_temporary_worker_is_refused_article_9(street, published):
    row = next(r for r in published.shifts if r.day == date(2026, 10, 20))
    giver = row.officers[0].id
    with pytest.raises(DomainError, match="临时工为临时人员，不得安排值班（第九条）"):
        rosters.request_swap(_actor_for(street, giver, "giver"), row.id, giver, street.temp)


# ---------------------------------------------------------------- the duty calendar

def test_holiday_seeding_is_idempotent_and_keeps_edits(db, frozen_clock):
    admin = make_actor("office", {"office_admin"})
    first = calendar.seed_holidays(admin, [2026])
    assert first.added > 30 and first.kept == 0 and first.warnings == []
    national = next(h for h in calendar.list_holidays(admin, 2026) if h.day == date(2026, 10, 7))
    assert national.kind == "statutory_holiday" and national.name == "国庆节"
    calendar.update_holiday(admin, national.id, national.version,
                            calendar.HolidayData(date(2026, 10, 7), "statutory_holiday", "国庆节（调整）"))
    again = calendar.seed_holidays(admin, [2026])
    assert (again.added, again.kept) == (0, first.added)
    edited = next(h for h in calendar.list_holidays(admin, 2026) if h.day == date(2026, 10, 7))
    assert (edited.name, edited.source) == ("国庆节（调整）", "manual")
    assert [e.details["added"] for e in _events("holiday.seed")] == [first.added, 0]
    cal = calendar.calendar_for([2026])
    assert cal.is_statutory_holiday(date(2026, 10, 1)) and cal.is_adjusted_working_day(date(2026, 10, 10))


def test_unpublished_2027_is_warned(db, frozen_clock):
    admin = make_actor("office", {"office_admin"})
    result = calendar.seed_holidays(admin, [2027])
    assert (result.added, result.unpublished_years) == (0, [2027])
    assert result.warnings == ["2027年节假日安排尚未公布，请在节假日表中维护"]
    assert calendar.unpublished_warnings([2026, 2027]) == [
        "2026年节假日安排尚未公布，请在节假日表中维护", "2027年节假日安排尚未公布，请在节假日表中维护"]
    unit = make_unit("柏泉村")
    make_person(unit, "张三")
    rosters.create_month(admin, unit, 2027, 1)
    assert rosters.month_view(admin, unit, 2027, 1).warnings == ["2027年节假日安排尚未公布，请在节假日表中维护"]
    calendar.add_holiday(admin, calendar.HolidayData(date(2027, 1, 1), "statutory_holiday", "元旦"))
    assert calendar.unpublished_warnings([2027]) == []


def test_holiday_edits_are_the_office_admins(db, frozen_clock):
    clerk = make_actor("clerk", {"duty_officer"})
    with pytest.raises(PermissionDenied):
        calendar.add_holiday(clerk, calendar.HolidayData(date(2027, 1, 1), "statutory_holiday", "元旦"))
    admin = make_actor("office", {"office_admin"})
    hid = calendar.add_holiday(admin, calendar.HolidayData(date(2027, 1, 1), "statutory_holiday", "元旦"))
    with pytest.raises(ValidationError, match="日期：2027-01-01已在节假日表中"):
        calendar.add_holiday(admin, calendar.HolidayData(date(2027, 1, 1), "statutory_holiday", "元旦"))
    calendar.delete_holiday(admin, hid, 1)
    assert calendar.list_holidays(admin, 2027) == []


def test_special_period_crud(db, frozen_clock):
    admin = make_actor("office", {"office_admin"})
    a, b = make_unit("甲村"), make_unit("乙村")
    start, end = calendar.whole_days(date(2026, 6, 1), date(2026, 9, 30))
    pid = calendar.create_special_period(admin, calendar.PeriodData(
        "sensitive", "特殊敏感时期", start, end, unit_ids=(a,)))
    row = calendar.list_special_periods(admin)[0]
    assert (row.kind_label, row.double_staffing, row.leaders_on_duty, row.unit_names) == (
        "特殊敏感时期", True, True, ("甲村",))
    calendar.update_special_period(admin, pid, row.version, calendar.PeriodData(
        "sensitive", "特殊敏感时期", start, end, unit_ids=(a, b), double_staffing=False))
    row = calendar.list_special_periods(admin)[0]
    assert row.unit_ids == (a, b) and not row.double_staffing and row.version == 2
    with pytest.raises(ValidationError, match="结束时间：须晚于开始时间"):
        calendar.create_special_period(admin, calendar.PeriodData("flood_season", "x", end, start))
    with pytest.raises(ConcurrentEditError):
        calendar.delete_special_period(admin, pid, 1)
    calendar.delete_special_period(admin, pid, row.version)
    assert calendar.list_special_periods(admin) == []


# ---------------------------------------------------------------- at scale (issue 7)

def test_a_persons_shifts_are_found_in_a_window_whatever_order_their_ids_were_given(street):
    """officer_of bounds a person's shifts by the ids of the shifts near the window: a month
    planned after a later one (smaller ids later in time) must still be found, and nothing
    outside the window."""
    from models.roster import ShiftOfficer
    from services.roster_common import officer_of, overlapping

    zhang = street.officers["张三"]
    rosters.create_month(street.admin, street.unit_id, 2026, 11)     # planned first: smaller ids
    _october(street)
    nov = _shift(rosters.month_view(street.admin, street.unit_id, 2026, 11), date(2026, 11, 3))
    rosters.set_staffing(street.admin, nov.id, nov.version, [zhang])
    _staff(street, date(2026, 10, 28), [zhang])
    octo = _shift(rosters.month_view(street.admin, street.unit_id, 2026, 10), date(2026, 10, 28))
    assert octo.id > nov.id

    def found(first: date, last: date | None) -> list[int]:
        lo = local(first, 0, 0)
        hi = local(last, 0, 0) if last else None
        window = overlapping(lo, hi) if hi else [Shift.ends_at > lo]
        with reading() as s:
            fast = set(s.execute(select(Shift.id).where(*window, officer_of([zhang], lo, hi))).scalars())
            plain = set(s.execute(select(Shift.id).where(*window, Shift.id.in_(
                select(ShiftOfficer.shift_id).where(ShiftOfficer.person_id == zhang)))).scalars())
        assert fast == plain
        return sorted(fast)

    assert found(date(2026, 10, 27), date(2026, 11, 5)) == sorted([octo.id, nov.id])
    assert found(date(2026, 11, 2), date(2026, 11, 4)) == [nov.id]
    assert found(date(2026, 10, 28), date(2026, 10, 29)) == [octo.id]
    assert found(date(2026, 10, 1), date(2026, 10, 20)) == []
    assert found(date(2026, 10, 30), None) == [nov.id]                 # open-ended


def test_a_month_and_its_neighbours_are_read_with_their_officers_in_one_statement_each(street):
    """load_month reads the month's shifts and the shifts near it each in one statement with
    their duty officers (not as mapped objects and a second statement for the officers),
    and finds what the mapped objects hold: 7 statements whatever the month's size."""
    from sqlalchemy import event

    from services.roster_common import load_month

    zhang, wang = street.officers["张三"], street.officers["王五"]
    view = _october(street, "day_night")
    rosters.set_staffing(street.admin, view.shifts[0].id, view.shifts[0].version, [zhang, wang])
    rosters.set_staffing(street.admin, view.shifts[3].id, view.shifts[3].version, [wang])
    rosters.create_month(street.admin, street.unit_id, 2026, 11)
    nov = rosters.month_view(street.admin, street.unit_id, 2026, 11).shifts[0]
    rosters.set_staffing(street.admin, nov.id, nov.version, [wang, zhang])
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with reading() as s:
        engine = s.get_bind().engine
        event.listen(engine, "before_cursor_execute", seen)
        try:
            ctx = load_month(s, street.unit_id, 2026, 10)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        mapped = {sh.id: sh for sh in s.execute(select(Shift)).scalars()}
    reads = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 7, reads
    assert all("JOIN shift_officer" in st for st in reads if "shift_officer.person_id" in st
               and "shift_officer.person_id IN" not in st)
    assert len(ctx.shifts) == 62 and nov.id in [sh.id for sh in ctx.neighbours]
    for sh in [*ctx.shifts, *ctx.neighbours]:
        orm = mapped[sh.id]
        assert (sh.roster_id, sh.unit_id, sh.starts_at, sh.ends_at, sh.template_code,
                sh.leader_person_id, sh.state, sh.version, list(sh.officer_ids)) == (
            orm.roster_id, orm.unit_id, orm.starts_at, orm.ends_at, orm.template_code,
            orm.leader_person_id, orm.state, orm.version, orm.officer_ids)
    assert ctx.shifts[0].officer_ids == (zhang, wang)
    assert next(sh for sh in ctx.neighbours if sh.id == nov.id).officer_ids == (wang, zhang)


class _Selects:
    """The SELECT statements sent while inside (the cache of read models cleared first)."""

    def __enter__(self):
        from sqlalchemy import event

        from models import db as dbmod
        from services import view_cache

        view_cache.clear()
        self.engine, self.sent = dbmod.engine(), []
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            self.sent.append(statement)

    def __exit__(self, *_exc):
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def __len__(self):
        return len(self.sent)


def test_the_swap_page_reads_its_lists_in_a_constant_number_of_statements(street, published):
    """open_swaps (待我确认, 我的申请, 待审批), swaps_page and swappable_shifts read what their
    rows show joined in (shift times, the other shift, both names), whatever the number of
    rows, and show what the lists filtered one by one showed."""
    giver = published.shifts[0].officers[0].id
    theirs = [r for r in published.shifts if r.day >= date(2026, 10, 5)
              and giver in {o.id for o in r.officers}][:3]
    taker = next(p for p in street.officers.values() if p != giver)
    giver_actor, taker_actor = _actor_for(street, giver, "giver"), _actor_for(street, taker, "taker")
    leader = make_actor("leader", {"shift_leader"})
    ids = [rosters.request_swap(giver_actor, r.id, giver, taker, "substitution", reason=f"事由{n}")
           for n, r in enumerate(theirs)]
    rosters.accept_swap(taker_actor, ids[0], 1)
    labels = {r.id: r.label for r in published.shifts}

    def open_for(actor, pid):
        with _Selects() as sent:
            found = rosters.open_swaps(actor, pid)
        assert len(sent) == 2, sent.sent                # the cache's tokens, the requests
        return found

    mine = open_for(giver_actor, giver)
    assert [sw.id for sw in mine.mine] == ids[::-1] and mine.asked == () and mine.waiting == ()
    assert list(mine.mine) == [sw for sw in rosters.list_swaps(giver_actor, person_id=giver,
                                                               states=("requested", "accepted"))
                               if sw.from_person.id == giver]
    asked = open_for(taker_actor, taker)
    assert [sw.id for sw in asked.asked] == ids[:0:-1] and asked.mine == ()
    waiting = open_for(leader, leader.person_id)
    assert [sw.id for sw in waiting.waiting] == [ids[0]]
    assert list(waiting.waiting) == rosters.list_swaps(leader, states=("accepted",))
    row = waiting.waiting[0]
    assert (row.shift_label, row.from_person.id, row.to_person.id, row.state) == (
        labels[theirs[0].id], giver, taker, "accepted")
    assert row.from_person.name == next(n for n, p in street.officers.items() if p == giver)

    with _Selects() as sent:
        page = rosters.swaps_page(street.admin, page=1, per_page=2)
    assert len(sent) == 2, sent.sent                    # tokens, the page with its total
    assert page.total == 3
    assert [sw.id for sw in page.rows] == ids[:0:-1]
    assert [sw.shift_label for sw in page.rows] == [labels[r.id] for r in theirs[:0:-1]]

    with _Selects() as sent:
        offered = rosters.swappable_shifts(giver_actor, giver, days=150)   # from 1 July
    assert len(sent) == 3, sent.sent                    # the person, tokens, shifts
    assert {c.id for c in offered} >= {r.id for r in theirs}
    for c in offered:
        view_row = next(r for r in published.shifts if r.id == c.id)
        role = "leader" if view_row.leader and view_row.leader.id == giver else "officer"
        assert (c.label, c.unit_id, c.starts_at, c.role) == (
            view_row.label, street.unit_id, view_row.starts_at, role)

    # The request form's shifts and whom to ask, together: the colleagues as the people
    # list has them (active, of the unit, by name), but not the person asking.
    gone = make_person(street.unit_id, "已调离")
    with transaction() as s:
        s.get(Person, gone).active = False
    with _Selects() as sent:
        options = rosters.swap_options(giver_actor, giver, days=150)
    assert len(sent) == 4, sent.sent                    # the person, tokens, shifts, colleagues
    assert options.shifts == tuple(offered)
    listed = [(p.id, p.name, p.employment_label) for p in people.list_people(street.admin, street.unit_id)
              if p.id != giver]
    assert [(c.id, c.name, c.employment_label) for c in options.colleagues_for(offered[0])] == listed
    assert gone not in {c.id for c in options.colleagues} and street.temp in {c.id for c in options.colleagues}
    # Nothing to swap, nobody to ask: no statement for the colleagues.
    with _Selects() as sent:
        assert rosters.swap_options(giver_actor, giver, days=0) == rosters.SwapOptions((), ())
    assert len(sent) == 3, sent.sent


def test_swap_options_list_colleagues_only_of_units_whose_people_the_actor_may_read(street, published):
    """The colleagues come with the shifts (rosters.swap_options), checked in the service as
    the people list checks them (person.read): a unit's duty officer who has moved to another
    unit keeps their shifts to offer, but not the old unit's people."""
    giver = published.shifts[0].officers[0].id
    elsewhere = make_unit("径河村")
    with transaction() as s:
        s.get(Person, giver).unit_id = elsewhere
    moved = make_actor("moved", {"unit_duty_officer"}, unit_id=elsewhere, person_id=giver)
    options = rosters.swap_options(moved, giver, days=150)
    assert options.shifts and {c.unit_id for c in options.shifts} == {street.unit_id}
    assert options.colleagues == () and options.colleagues_for(options.shifts[0]) == ()
    with pytest.raises(PermissionDenied):
        people.list_people(moved, unit_id=street.unit_id)
    seen = rosters.swap_options(street.admin, giver, days=150)    # the office sees every unit
    assert seen.shifts == options.shifts
    assert {c.id for c in seen.colleagues} == {p.id for p in people.list_people(street.admin, street.unit_id)}
