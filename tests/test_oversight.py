"""Oversight services on SQLite and PostgreSQL: inspections (第十七条), the spot-check list,
bulletins parsed back, training (第十六条) and each compliance measure — a case that
breaks it and one that keeps it — and the statistics."""
from __future__ import annotations

import importlib
import io
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from conftest import SelectCounter, plans_of
from duty_support import local, make_actor, make_person, make_unit
from models.audit import AuditEvent
from models.daily import Call
from models.incident import DeadlineRecord, Incident, VerificationRequest
from models.org import Person, Unit
from models.oversight import RosterFindingMonth
from models.roster import CheckIn, Handover, Roster, Shift, ShiftOfficer
from rules.deadlines import CATEGORY_LABELS, LEVEL_LABELS
from services import calendar, oversight, view_cache
from services.clock import SHANGHAI
from services.directory import units
from services.errors import DomainError, PermissionDenied, ValidationError
from services.oversight import InspectionInput
from services.permissions import SYSTEM_ACTOR
from services.uow import reading, transaction

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)     # 10:00 Beijing, 20 October


@pytest.fixture
def office(db, frozen_clock):
    frozen_clock.set(NOW)
    return make_actor("office", {"office_admin"})


def good_check(unit_id, at=None, **over) -> InspectionInput:
    values = dict(unit_id=unit_id, at=at or NOW - timedelta(hours=1), method="phone", answered=True,
                  answer_seconds=8, officer_present=True, officer_permanent=True)
    values.update(over)
    return InspectionInput(**values)


def failed_check(unit_id, at=None, **over) -> InspectionInput:
    values = dict(unit_id=unit_id, at=at or NOW - timedelta(hours=1), method="phone", answered=False,
                  findings="值班电话连续拨打3次无人接听", rectification_required=True,
                  rectification_deadline=date(2026, 10, 25))
    values.update(over)
    return InspectionInput(**values)


def _audit(action):
    with reading() as s:
        return list(s.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


# ---------------------------------------------------------------- inspections (第十七条)

def test_record_inspection_validates_naming_field_and_article(office):
    unit = make_unit("柏泉村")
    with pytest.raises(ValidationError) as err:
        oversight.record_inspection(office, InspectionInput(unit_id=unit, at=None, method="fax",
                                                            answered=None))
    text = str(err.value)
    assert "检查时间：不能为空（第十七条）" in text and "检查方式" in text and "是否接听" in text
    with pytest.raises(ValidationError, match="接听用时（秒）.*第十七条"):
        oversight.record_inspection(office, good_check(unit, answer_seconds=None))
    with pytest.raises(ValidationError, match="发现的问题：检查不合格的.*第十七条"):
        oversight.record_inspection(office, failed_check(unit, findings=""))
    with pytest.raises(ValidationError, match="整改要求"):
        oversight.record_inspection(office, failed_check(unit, rectification_required=False))
    with pytest.raises(ValidationError, match="不能晚于当前时间"):
        oversight.record_inspection(office, good_check(unit, at=NOW + timedelta(minutes=5)))


def test_passed_is_derived_and_rectification_is_followed_to_done(office):
    unit = make_unit("柏泉村", duty_phone="027-83880001")
    ok = oversight.record_inspection(office, good_check(unit))
    bad = oversight.record_inspection(office, failed_check(unit))
    absent = oversight.record_inspection(office, good_check(
        unit, officer_present=False, findings="接听者为保安，值班员脱岗", rectification_required=True,
        rectification_deadline=date(2026, 10, 22)))
    rows = {r.id: r for r in oversight.list_inspections(office)}
    assert rows[ok].passed and rows[ok].phone_called == "027-83880001"
    assert not rows[bad].passed and rows[bad].problems == ["值班电话无人接听"]
    assert not rows[absent].passed and "值班人员不在岗" in rows[absent].problems
    assert rows[bad].rectification_status == "整改中"
    with pytest.raises(ValidationError, match="整改情况"):
        oversight.complete_rectification(office, bad, rows[bad].version, "")
    oversight.complete_rectification(office, bad, rows[bad].version, "已调整值班安排并通报批评")
    done = {r.id: r for r in oversight.list_inspections(office)}[bad]
    assert done.rectification_status == "已整改" and done.rectified_at == NOW
    assert [r.id for r in oversight.list_inspections(office, only_open=True)] == [absent]
    with pytest.raises(DomainError, match="已记录完成"):
        oversight.complete_rectification(office, bad, done.version, "再次")
    assert len(_audit("inspection.record")) == 3 and len(_audit("inspection.rectified")) == 1


def test_only_the_office_records_checks(office):
    unit = make_unit("柏泉村")
    officer = make_actor("officer1", {"duty_officer"}, unit_id=unit)
    admin = make_actor("sysadmin", {"system_admin"})
    for who in (officer, admin):
        with pytest.raises(PermissionDenied):
            oversight.record_inspection(who, good_check(unit))


# ---------------------------------------------------------------- the spot-check list

def test_spot_check_list_is_deterministic_for_a_seed(office):
    for n in range(8):
        make_unit(f"单位{n}", duty_phone=f"027-8388000{n}")
    make_unit("柏泉街道办事处", kind="street_office")
    first = oversight.spot_check_list(office, 3, seed=42)
    again = oversight.spot_check_list(office, 3, seed=42)
    assert [r.unit_id for r in first] == [r.unit_id for r in again] and len(first) == 3
    assert all(r.duty_phone and r.last_checked_at is None for r in first)
    assert "柏泉街道办事处" not in {r.unit_name for r in oversight.spot_check_list(office, 9, seed=1)}
    assert len({tuple(r.unit_id for r in oversight.spot_check_list(office, 3, seed=s))
                for s in range(10)}) > 1
    with pytest.raises(DomainError, match="抽查单位数"):
        oversight.spot_check_list(office, 0)


def test_spot_check_list_favours_the_longest_unchecked(office, frozen_clock):
    never = make_unit("从未检查")
    long_ago = make_unit("半年前检查")
    yesterday = make_unit("昨天检查")
    oversight.record_inspection(office, good_check(long_ago, at=NOW - timedelta(days=180)))
    oversight.record_inspection(office, good_check(yesterday, at=NOW - timedelta(days=1)))
    picks = Counter(oversight.spot_check_list(office, 1, seed=s)[0].unit_id for s in range(300))
    assert picks[never] > picks[long_ago] > picks[yesterday]
    assert picks[yesterday] < 15
    row = next(r for r in oversight.spot_check_list(office, 3, seed=0) if r.unit_id == long_ago)
    assert row.days_since == 180 and row.last_checked_at is not None


# ---------------------------------------------------------------- bulletins

def test_bulletin_compiled_published_and_parsed_back(office):
    a = make_unit("柏泉村", duty_phone="027-83880001")
    b = make_unit("新华社区", duty_phone="027-83880002")
    c = make_unit("未检查单位")
    oversight.record_inspection(office, good_check(a))
    oversight.record_inspection(office, failed_check(b))
    oversight.record_inspection(office, good_check(a, at=NOW - timedelta(days=40)))  # outside
    with pytest.raises(DomainError, match="没有检查记录"):
        oversight.compile_bulletin(office, date(2026, 1, 1), date(2026, 1, 31))
    bid = oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 20))
    row = oversight.list_bulletins(office)[0]
    assert row.number == "柏办通〔2026〕1号" and row.state == "draft" and len(row.results) == 2
    assert row.failed == 1

    # Units see published bulletins concerning them only.
    officer_b = make_actor("unitb", {"unit_duty_officer"}, unit_id=b)
    officer_c = make_actor("unitc", {"unit_duty_officer"}, unit_id=c)
    assert oversight.list_bulletins(officer_b) == []
    with pytest.raises(PermissionDenied):
        oversight.bulletin_docx(officer_b, bid)
    oversight.publish_bulletin(office, bid, row.version)
    with pytest.raises(DomainError, match="已发布"):
        oversight.publish_bulletin(office, bid, oversight.list_bulletins(office)[0].version)
    seen = oversight.list_bulletins(officer_b)
    assert [r.id for r in seen] == [bid] and [r.unit_name for r in seen[0].results] == ["新华社区"]
    assert oversight.list_bulletins(officer_c) == []
    with pytest.raises(PermissionDenied):
        oversight.bulletin_docx(officer_c, bid)
    assert _audit("bulletin.publish")[0].details["units"] == sorted([a, b])

    name, data = oversight.bulletin_docx(officer_b, bid)
    assert name.startswith("柏办通〔2026〕1号")
    doc = Document(io.BytesIO(data))
    table = doc.tables[0]
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert cells[0][0] == "单位"
    by_unit = {r[0]: r for r in cells[1:]}
    assert set(by_unit) == {"柏泉村", "新华社区"}
    assert by_unit["柏泉村"][3] == "8秒接听" and by_unit["柏泉村"][7] == "合格"
    assert by_unit["新华社区"][3] == "未接听" and by_unit["新华社区"][7] == "不合格"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "柏办通〔2026〕1号" in text
    assert "新华社区" in text and "值班电话无人接听" in text and "连续拨打3次无人接听" in text
    assert "整改时限：2026年10月25日" in text
    # The next compiled bulletin takes the next number.
    oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 20))
    assert oversight.list_bulletins(office)[0].number == "柏办通〔2026〕2号"


# ---------------------------------------------------------------- training (第十六条)

def test_training_attendance_updates_person_dates_and_flags(office):
    unit = make_unit("柏泉村")
    new = make_person(unit, "新同志", trained=False)
    old = make_person(unit, "老同志", pre_job_trained_on=date(2020, 3, 1),
                      yearly_trained_on=date(2025, 6, 1))
    fine = make_person(unit, "张三")
    make_person(unit, "临时工", employment="temporary", trained=False)   # never on duty: not flagged
    flags = {f.person_id: f.rule_code for f in oversight.training_flags(office)}
    assert flags == {new: "pre_job_training_missing", old: "yearly_training_overdue"}
    with SelectCounter() as sql:    # kept for the day while people are as they were
        assert "第十六条" in oversight.training_flags(office)[0].message
    assert len(sql) == 1 and "data_version" in sql[0]

    with pytest.raises(ValidationError, match="培训名称"):
        oversight.create_session(office, "pre_job", date(2026, 10, 9), "")
    future = oversight.create_session(office, "yearly", date(2026, 11, 9), "年度培训")
    with pytest.raises(DomainError, match="尚未举行"):
        oversight.record_attendance(office, future, [old])
    pre = oversight.create_session(office, "pre_job", date(2026, 10, 9), "岗前培训", "党政办")
    yearly = oversight.create_session(office, "yearly", date(2026, 10, 10), "2026年度值班培训")
    assert oversight.record_attendance(office, pre, [new]) == 1
    oversight.record_attendance(office, yearly, [old, fine])
    with pytest.raises(ValidationError, match="已登记"):
        oversight.record_attendance(office, yearly, [old])
    failed = oversight.create_session(office, "yearly", date(2026, 10, 11), "补训")
    oversight.record_attendance(office, failed, [fine], passed=False)
    with reading() as s:
        assert s.get(Person, new).pre_job_trained_on == date(2026, 10, 9)
        assert s.get(Person, old).yearly_trained_on == date(2026, 10, 10)
        assert s.get(Person, fine).yearly_trained_on == date(2026, 10, 10)   # the failed one does not count
    assert oversight.training_flags(office) == []
    sessions = {x.id: x for x in oversight.list_sessions(office)}
    assert [a.name for a in sessions[yearly].attendees] == ["老同志", "张三"]
    assert sessions[failed].attendees[0].passed is False
    # The staffing rules read the same dates: the new colleague may now be rostered.
    from rules.staffing import person_problems
    from services.roster_common import person_facts
    with reading() as s:
        assert person_problems(person_facts(s.get(Person, new)), date(2026, 10, 21)) == []


# ---------------------------------------------------------------- compliance by article

def _roster(unit_id: int, officers: list[int], leader: int | None, first: date, days: int,
            status: str = "published") -> list[int]:
    """A published (or `status`) full-day roster of first's month from `first` for `days` days."""
    with transaction() as s:
        roster = Roster(unit_id=unit_id, year=first.year, month=first.month, template_set="full_day",
                        status=status, created_at=NOW - timedelta(days=40),
                        published_at=NOW - timedelta(days=40) if status == "published" else None)
        s.add(roster)
        s.flush()
        ids = []
        for n in range(days):
            start = local(first + timedelta(n), 8, 30)
            sh = Shift(roster_id=roster.id, unit_id=unit_id, starts_at=start,
                       ends_at=start + timedelta(hours=24), template_code="full_day",
                       leader_person_id=leader, state="scheduled")
            sh.officers = [ShiftOfficer(person_id=p) for p in officers]
            s.add(sh)
            s.flush()
            ids.append(sh.id)
        return ids


def _row(rows, measure, unit_id):
    return next(r for r in rows if r.measure == measure and r.unit_id == unit_id)


def _counts_agree(office, start: date, end: date) -> None:
    """The dashboard's figures (counted in the database where they can be) are the number
    of records behind each one, unit for unit, in the same table."""
    rows = oversight.compliance(office, start, end)
    counts = oversight.compliance_counts(office, start, end)
    assert dict(counts.counts) == {(r.measure, r.unit_id): r.count for r in rows if r.count}
    assert counts.matrix() == oversight.matrix(rows)
    assert counts.total() == sum(r.count for r in rows)


@pytest.fixture
def october(office):
    """Flood season 1–15 October (双人值班, 第九条), 国庆节 1–7 October (带班, 第十条)."""
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    start, end = calendar.whole_days(date(2026, 10, 1), date(2026, 10, 15))
    calendar.create_special_period(office, calendar.PeriodData("flood_season", "2026年防汛期", start, end))
    good = make_unit("合规单位")
    bad = make_unit("违规单位")
    none = make_unit("无值班表单位")
    g = [make_person(good, n) for n in ("张三", "李四")] + [make_person(good, "冯主任", can_lead=True)]
    b = [make_person(bad, "王五"), make_person(bad, "陈主任", can_lead=True)]
    good_shifts = _roster(good, g[:2], g[2], date(2026, 10, 1), 31)
    bad_shifts = _roster(bad, [b[0]], None, date(2026, 10, 1), 31)
    return dict(good=good, bad=bad, none=none, good_shifts=good_shifts, bad_shifts=bad_shifts,
                bad_people=b)


def test_roster_measures_break_and_keep_articles_2_9_10(office, october):
    rows = oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 10))
    good, bad, none = october["good"], october["bad"], october["none"]
    for measure in ("coverage_gap", "double_staffing", "leader_missing"):
        assert _row(rows, measure, good).count == 0, measure
    assert _row(rows, "coverage_gap", bad).count == 0
    double = _row(rows, "double_staffing", bad)
    assert double.count == 10 and double.article == "第九条"
    assert set(double.record_ids) == set(october["bad_shifts"][:10])
    assert "须双人专职值班" in double.records[0].text
    leader = _row(rows, "leader_missing", bad)
    assert leader.count == 7 and leader.article == "第十条" and "须安排领导带班" in leader.records[0].text
    gaps = _row(rows, "coverage_gap", none)
    assert gaps.count == 10 and gaps.article == "第二、九条" and "无已发布的值班表" in gaps.records[0].text
    # After the flood season and the holiday, one officer and no leader keep the rules.
    later = oversight.compliance(office, date(2026, 10, 16), date(2026, 10, 18))
    assert _row(later, "double_staffing", bad).count == 0 and _row(later, "leader_missing", bad).count == 0
    table = oversight.matrix(rows)
    assert next(t for t in table if t["单位"] == "违规单位")["双人值班期间单人值班（第九条）"] == 10
    _counts_agree(office, date(2026, 10, 1), date(2026, 10, 10))


def _reference_roster_records(start: date, end: date) -> dict[tuple[str, int], list[tuple]]:
    """The roster measures as they were computed before they were batched: the roster
    services' load_month(...).violations() per active unit and month (one unit-month at a
    time), a unit without a published roster being uncovered for its days."""
    from rules.staffing import coverage_gaps, month_window
    from services.oversight.common import window
    from services.roster_common import load_month

    codes = {"coverage_gap": "coverage_gap", "double_staffing_required": "double_staffing",
             "shift_leader_required": "leader_missing"}
    lo, hi = window(start, end)
    out: dict[tuple[str, int], list[tuple]] = {}
    with reading() as s:
        units = list(s.execute(select(Unit.id).where(Unit.active.is_(True)).order_by(Unit.id)).scalars())
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            published = set(s.execute(select(Roster.unit_id).where(
                Roster.year == y, Roster.month == m, Roster.status == "published")).scalars())
            m_lo, m_hi = month_window(y, m)
            for u in units:
                found = (load_month(s, u, y, m).violations() if u in published
                         else coverage_gaps(u, [], max(m_lo, lo), min(m_hi, hi)))
                for v in found:
                    if v.rule_code in codes and v.day is not None and start <= v.day <= end:
                        text = v.message if u in published else f"{v.message}（本月无已发布的值班表）"
                        out.setdefault((codes[v.rule_code], u), []).append(
                            ("shift" if v.shift_id is not None else "day", v.shift_id, v.day, text))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return {k: sorted(v, key=lambda r: (r[2], r[1] or 0)) for k, v in out.items()}


def _roster_records(rows) -> dict[tuple[str, int], list[tuple]]:
    return {(r.measure, r.unit_id): [(x.kind, x.id, x.day, x.text) for x in r.records]
            for r in rows if r.measure in ("coverage_gap", "double_staffing", "leader_missing") and r.records}


def test_roster_measures_batched_across_months_give_the_per_month_answer(office, october):
    """Over a month boundary: the shift of 31 October reaches into a published November (both
    months check it); a unit whose first roster starts on 10 October is not blamed for the
    days before; a draft roster is no roster; a unit with rosters stays uncovered where none is
    published. The batched reading gives, record for record, the per-unit-month answer."""
    good, bad, none = october["good"], october["bad"], october["none"]
    start, end = calendar.whole_days(date(2026, 10, 31), date(2026, 11, 1))
    calendar.create_special_period(office, calendar.PeriodData(
        "sensitive", "十一月初敏感时期", start, end, double_staffing=True, leaders_on_duty=True))
    late = make_unit("十月中旬起排班单位")
    draft = make_unit("草稿值班表单位")
    officer = make_person(late, "赵六")
    late_shifts = _roster(late, [officer], None, date(2026, 10, 10), 22)
    november = _roster(october["bad"], [october["bad_people"][0]], None, date(2026, 11, 1), 30)
    _roster(draft, [make_person(draft, "钱七")], None, date(2026, 10, 1), 31, status="draft")

    rows = oversight.compliance(office, date(2026, 10, 5), date(2026, 11, 3))
    assert _roster_records(rows) == _reference_roster_records(date(2026, 10, 5), date(2026, 11, 3))
    # And in figures. 第九条: the flood season's shifts of 5–15 October, then those touching
    # the sensitive 31 October – 1 November: 30 and 31 October's in October, 31 October's
    # again (it reaches into November) and 1 November's in November.
    bad_shifts = october["bad_shifts"]
    double = _row(rows, "double_staffing", bad)
    assert double.record_ids == (*bad_shifts[4:15], bad_shifts[29], bad_shifts[30], bad_shifts[30],
                                 november[0])
    assert "处于特殊敏感时期，须双人专职值班，现只安排了1名值班员（第九条）" in double.records[-1].text
    assert _row(rows, "double_staffing", late).record_ids == (*late_shifts[:6], *late_shifts[20:22])
    # 第十条: 国庆节 5–7 October and the same sensitive shifts, without a leader.
    assert _row(rows, "leader_missing", bad).count == 3 + 4
    assert _row(rows, "leader_missing", good).count == 0
    # 第二、九条: uncovered November days of the units without a published November roster.
    gaps = {u: _row(rows, "coverage_gap", u).count for u in (good, bad, none, late, draft)}
    assert gaps == {good: 3, bad: 0, none: 30, late: 3, draft: 30}
    assert all("无已发布的值班表" in r.text for r in _row(rows, "coverage_gap", draft).records)


def test_compliance_reads_a_fixed_number_of_queries(office, october):
    """Set-based: as many statements for one month as for a year, for 4 units as for 9."""
    with SelectCounter() as few:
        oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 31))
    for n in range(5):
        unit = make_unit(f"新增单位{n}")
        _roster(unit, [make_person(unit, f"值班员{n}")], None, date(2026, 10, 1), 31)
    with SelectCounter() as many:
        oversight.compliance(office, date(2025, 11, 1), date(2026, 10, 31))
    assert len(many) == len(few) <= 17, many


def _kept(unit_id: int, year: int, month: int):
    with reading() as s:
        return s.get(RosterFindingMonth, (unit_id, year, month))


def test_roster_findings_kept_per_unit_and_month_recomputed_where_a_write_touched(office, october):
    """The roster rules run again only for the months a write could change: a new leader on
    one unit's holiday shift recomputes that unit's months; another unit's stay as stored,
    and a check-in (a shift's live state) marks nothing."""
    good, bad = october["good"], october["bad"]
    first = oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 10))
    assert _row(first, "leader_missing", bad).count == 7
    good_kept, bad_kept = _kept(good, 2026, 10), _kept(bad, 2026, 10)
    assert good_kept.findings is not None and bad_kept.findings is not None

    view_cache.clear()   # as in another process, or after a write elsewhere
    with SelectCounter() as again:
        assert oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 10)) == first
    assert not [q for q in again if "special_period" in q], again   # the rules did not run

    with transaction() as s:   # a check-in: the shift's state, not its facts
        shift = s.get(Shift, october["good_shifts"][0])
        shift.state = "on_duty"
        s.add(CheckIn(shift_id=shift.id, person_id=october["bad_people"][0], at=local(date(2026, 10, 1), 8, 10),
                      late=False))
    assert _kept(good, 2026, 10).version == good_kept.version
    leader = october["bad_people"][1]
    with transaction() as s:   # 陈主任 leads the bad unit's shift of 3 October
        s.get(Shift, october["bad_shifts"][2]).leader_person_id = leader
    marked = _kept(bad, 2026, 10)
    assert marked.version == bad_kept.version + 1 and marked.findings is None
    assert _kept(bad, 2026, 9).findings is None and _kept(bad, 2026, 11).findings is None
    assert _kept(good, 2026, 10).findings == good_kept.findings

    view_cache.clear()
    after = oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 10))
    assert _row(after, "leader_missing", bad).count == 6
    assert _roster_records(after) == _reference_roster_records(date(2026, 10, 1), date(2026, 10, 10))
    assert _kept(bad, 2026, 10).findings is not None


def test_findings_computed_before_a_write_are_not_stored_over_it(office, october):
    """A reader stores what it computed only under the version it saw before reading the
    facts: a write committed meanwhile (a month marked, or marked for the first time) wins."""
    module = importlib.import_module("services.oversight.compliance")   # the package names its function so

    bad = october["bad"]
    oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 10))
    seen = _kept(bad, 2026, 10)
    with transaction() as s:   # the write, committed while the reader computed
        s.get(Shift, october["bad_shifts"][2]).leader_person_id = october["bad_people"][1]
    stale = [(date(2026, 10, 3), "shift_leader_required", october["bad_shifts"][2], "旧的结论")]
    with reading() as s:
        basis = module._basis(s)
    module._store({(bad, 2026, 10): stale}, {(bad, 2026, 10): seen.version}, basis)
    assert _kept(bad, 2026, 10).findings is None
    # November had never been computed: the write's mark made its row; a reader that found
    # no row before the write inserts nothing over it.
    assert _kept(bad, 2026, 11).findings is None
    module._store({(bad, 2026, 11): stale}, {}, basis)
    assert _kept(bad, 2026, 11).findings is None
    # Under the version it saw, a reader's findings are kept.
    module._store({(bad, 2026, 10): stale}, {(bad, 2026, 10): _kept(bad, 2026, 10).version}, basis)
    assert _kept(bad, 2026, 10).findings == module._encode(stale)


def test_check_in_and_handover_measures_article_14(office, october):
    good_shifts, bad_shifts = october["good_shifts"], october["bad_shifts"]
    with transaction() as s:
        for n, sid in enumerate(good_shifts[:5]):
            s.add(CheckIn(shift_id=sid, person_id=october["bad_people"][0], at=local(date(2026, 10, 1 + n), 8, 10),
                          late=False))
            s.add(Handover(outgoing_shift_id=sid, incoming_shift_id=good_shifts[n + 1], state="signed",
                           created_at=NOW, equipment=[]))
        s.add(CheckIn(shift_id=bad_shifts[1], person_id=october["bad_people"][0],
                      at=local(date(2026, 10, 2), 8, 35), late=True))
        s.add(Handover(outgoing_shift_id=bad_shifts[0], incoming_shift_id=bad_shifts[1], state="draft",
                       created_at=NOW, equipment=[]))
    rows = oversight.compliance(office, date(2026, 10, 2), date(2026, 10, 6))
    assert _row(rows, "late_check_in", october["good"]).count == 0
    late = _row(rows, "late_check_in", october["bad"])
    assert late.count == 1 and late.article == "第十四条" and late.records[0].kind == "check_in"
    assert _row(rows, "unsigned_handover", october["good"]).count == 0       # signed, both sides
    unsigned = _row(rows, "unsigned_handover", october["bad"])
    assert unsigned.count == 5 and bad_shifts[0] in unsigned.record_ids     # a draft is not signed
    _counts_agree(office, date(2026, 10, 1), date(2026, 10, 20))


def test_unsigned_handovers_are_counted_from_the_index_of_signed_handovers(office, october, db):
    """Whether a shift's handover was signed is answered from the partial index of signed
    handovers (0015), not by reading each handover's row for its state: the dashboard asks
    it of every shift that ended in the period. On SQLite only INDEXED BY gets that index
    (its planner takes the unique one on outgoing_shift_id first); the figures and the
    records both ask it so (october's figures are checked against its records above)."""
    conn = db.kw["bind"]
    for read in (oversight.compliance_counts, oversight.compliance):
        view_cache.clear()
        plans = plans_of(conn, lambda read=read: read(office, date(2026, 10, 1), date(2026, 10, 31)), "handover")
        assert plans, "no statement read the handovers"
        assert all("ix_handover_signed_outgoing" in p for p in plans), plans


def test_late_check_ins_and_overdue_rectifications_are_read_by_their_indexes(office, october, db):
    """Late arrivals are read from the partial index of late check-ins (0016): the period's
    punctual ones, ~97 % on the generated street, are not in it. Rectifications by deadline
    (0016): not a scan of every inspection the street has had."""
    conn = db.kw["bind"]
    for read in (oversight.compliance_counts, oversight.compliance):
        for table, index in (("check_in", "ix_check_in_late_at"),
                             ("inspection", "ix_inspection_rectification_deadline")):
            view_cache.clear()
            plans = plans_of(conn, lambda read=read: read(office, date(2026, 10, 1), date(2026, 10, 31)), table)
            assert any(index in p for p in plans), (table, plans)


def test_training_inspection_and_phone_measures_articles_16_17_23(office, frozen_clock):
    good = make_unit("合规单位", duty_phone="027-83880001")
    bad = make_unit("违规单位", duty_phone="027-83880002")
    make_person(good, "张三")
    untrained = make_person(bad, "新同志", trained=False)
    oversight.record_inspection(office, good_check(good))
    failed = oversight.record_inspection(office, failed_check(bad, at=NOW - timedelta(days=10),
                                                              rectification_deadline=date(2026, 10, 15)))
    unit_officer = make_actor("unitbad", {"unit_duty_officer"}, unit_id=bad)
    version = units.get_unit(office, bad).version
    filing = units.file_duty_phone_change(unit_officer, bad, version, "027-83889999", "值班室搬迁")
    # A change made outside a filing (straight into the table) is not filed either.
    own = units.file_duty_phone_change(office, good, units.get_unit(office, good).version,
                                       "027-83881111", "线路改造")   # the office's own: acknowledged
    rows = oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 20))
    assert _row(rows, "training_overdue", good).count == 0
    assert _row(rows, "training_overdue", bad).record_ids == (untrained,)
    assert _row(rows, "failed_inspection", good).count == 0
    assert _row(rows, "failed_inspection", bad).record_ids == (failed,)
    assert _row(rows, "rectification_overdue", bad).record_ids == (failed,)
    assert _row(rows, "duty_phone_unfiled", good).count == 0 and own
    phone = _row(rows, "duty_phone_unfiled", bad)
    assert phone.record_ids == (filing,) and phone.article == "第二十三条"
    # Kept: the office acknowledges the filing, the unit rectifies (late: still counted), training done.
    filing_row = next(f for f in units.list_filings(office, bad) if f.id == filing)
    units.acknowledge_filing(office, filing, filing_row.version)
    with transaction() as s:
        s.get(Unit, good).duty_phone = "027-80000000"
    session = oversight.create_session(office, "pre_job", date(2026, 10, 19), "岗前培训")
    oversight.record_attendance(office, session, [untrained])
    rows = oversight.compliance(office, date(2026, 10, 1), date(2026, 10, 20))
    assert _row(rows, "duty_phone_unfiled", bad).count == 0
    assert "不一致" in _row(rows, "duty_phone_unfiled", good).records[0].text
    assert _row(rows, "training_overdue", bad).count == 0
    _counts_agree(office, date(2026, 10, 1), date(2026, 10, 20))


def _incident(s, unit_id: int, owner: int) -> int:
    inc = Incident(unit_id=unit_id, title="某路口槽车侧翻", occurred_at=NOW - timedelta(hours=3),
                   received_at=NOW - timedelta(hours=3), place="柏泉大道", source_kind="phone",
                   category="accident", level="II", classification="internal", state="reported",
                   owner_user_id=owner, created_at=NOW - timedelta(hours=3))
    s.add(inc)
    s.flush()
    return inc.id


def _clock(s, unit_id, due, done=None, reason=None, incident_id=None, request_id=None, kind="report"):
    d = DeadlineRecord(unit_id=unit_id, incident_id=incident_id, verification_request_id=request_id,
                       kind=kind, recipient="district_duty_office", channel="phone", due_at=due,
                       latest_at=due, article="第二十一条", satisfied_at=done, late_reason=reason,
                       created_at=due - timedelta(minutes=10))
    s.add(d)
    s.flush()
    return d.id


def test_late_reports_and_verifications_articles_20_21(office):
    good, bad = make_unit("合规单位"), make_unit("违规单位")
    due = NOW - timedelta(hours=2)
    with transaction() as s:
        gi, bi = _incident(s, good, office.user_id), _incident(s, bad, office.user_id)
        _clock(s, good, due, done=due - timedelta(minutes=3), incident_id=gi)
        _clock(s, good, NOW + timedelta(minutes=30), incident_id=gi)            # not yet due
        late = _clock(s, bad, due, done=due + timedelta(minutes=20), reason="伤亡人数核实中",
                      incident_id=bi)
        missing = _clock(s, bad, due + timedelta(minutes=30), incident_id=bi)  # past due, open
        vr = VerificationRequest(unit_id=bad, requested_at=due - timedelta(minutes=15), content="核实槽车泄漏情况",
                                 logged_at=due - timedelta(minutes=15), state="answered")
        ok_vr = VerificationRequest(unit_id=good, requested_at=due - timedelta(minutes=15), content="核实伤亡",
                                    logged_at=due - timedelta(minutes=15), state="answered")
        s.add_all([vr, ok_vr])
        s.flush()
        vlate = _clock(s, bad, due, done=due + timedelta(minutes=5), request_id=vr.id, kind="verification")
        _clock(s, good, due, done=due, request_id=ok_vr.id, kind="verification")
    rows = oversight.compliance(office, date(2026, 10, 20), date(2026, 10, 20))
    assert _row(rows, "late_report", good).count == 0
    reports = _row(rows, "late_report", bad)
    assert reports.record_ids == (late, missing) and reports.article == "第二十一条"
    assert reports.records[0].reason == "伤亡人数核实中" and "原因：伤亡人数核实中" in reports.records[0].text
    assert "至今未完成" in reports.records[1].text and "未说明" in reports.records[1].text
    assert _row(rows, "late_verification", good).count == 0
    verif = _row(rows, "late_verification", bad)
    assert verif.record_ids == (vlate,) and verif.article == "第二十条" and "核实槽车泄漏" in verif.records[0].text
    _counts_agree(office, date(2026, 10, 20), date(2026, 10, 20))

    stats = oversight.statistics(office, date(2026, 10, 1), date(2026, 10, 31))
    total = stats.on_time[-1]
    assert (total["按时"], total["超时"], total["逾期未完成"], total["未到期"]) == (2, 2, 1, 1)
    assert total["及时率"] == "40.0%"
    assert next(r for r in stats.by_category if r["类别"] == "事故灾难")["起数"] == 2
    assert next(r for r in stats.by_level if r["等级"] == "重大")["起数"] == 2
    assert stats.by_month == [{"月份": "2026-10", "起数": 2}]
    wb = load_workbook(io.BytesIO(oversight.to_xlsx(stats.on_time, "报告及时率")))
    assert [c.value for c in wb.active[1]][:2] == ["项目", "按时"] and wb.active.max_row == len(stats.on_time) + 1


def test_dashboard_and_statistics_permissions(office):
    unit = make_unit("柏泉村")
    leader = make_actor("leader", {"shift_leader"}, unit_id=unit)
    officer = make_actor("officer1", {"duty_officer"}, unit_id=unit)
    auditor = make_actor("auditor", {"audit_admin"})
    oversight.statistics(leader, date(2026, 10, 1), date(2026, 10, 31))
    for who in (leader, officer, auditor):
        with pytest.raises(PermissionDenied):
            oversight.compliance(who, date(2026, 10, 1), date(2026, 10, 31))
    for who in (officer, auditor):
        with pytest.raises(PermissionDenied):
            oversight.statistics(who, date(2026, 10, 1), date(2026, 10, 31))
    with pytest.raises(PermissionDenied):
        oversight.list_bulletins(auditor)
    with pytest.raises(ValidationError, match="结束日期"):
        oversight.compliance(office, date(2026, 10, 2), date(2026, 10, 1))


# ---------------------------------------------------------------- at scale (issue 7)

def test_bulletins_are_paged_newest_first_in_a_fixed_number_of_queries(office):
    a, b = make_unit("柏泉村"), make_unit("新华社区")
    oversight.record_inspection(office, good_check(a))
    oversight.record_inspection(office, failed_check(b))
    with SelectCounter() as one:
        assert oversight.bulletin_page(office).total == 0
    ids = [oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 20)) for _ in range(7)]
    with SelectCounter() as seven:
        first = oversight.bulletin_page(office, 1, per_page=5)
    # The data version (view_cache), then the page with its total and the checks (none: the page).
    assert len(seven) == 3 and len(one) == 2
    assert (first.total, first.pages, first.page, first.first, first.last) == (7, 2, 1, 1, 5)
    assert [r.id for r in first.rows] == ids[::-1][:5] and all(len(r.results) == 2 for r in first.rows)
    second = oversight.bulletin_page(office, 2, per_page=5)
    assert [r.id for r in second.rows] == ids[1::-1] and (second.total, second.page) == (7, 2)
    with SelectCounter() as past:
        beyond = oversight.bulletin_page(office, 9, per_page=5)              # brought within range
    assert (beyond.page, beyond.total, [r.id for r in beyond.rows]) == (2, 7, ids[1::-1])
    assert len(past) == 5          # the version; the empty page, the count, the last page, checks
    assert [r.number for r in oversight.list_bulletins(office)] == [r.number for r in first.rows + second.rows]
    # A unit sees the published bulletins concerning it, with its own results only.
    oversight.publish_bulletin(office, ids[2], next(r.version for r in second.rows + first.rows if r.id == ids[2]))
    officer_b = make_actor("unitb", {"unit_duty_officer"}, unit_id=b)
    seen = oversight.bulletin_page(officer_b)
    assert seen.total == 1 and [r.unit_name for r in seen.rows[0].results] == ["新华社区"]
    assert oversight.bulletin_page(officer_b, 3).total == 1            # counted within its scope
    assert seen.rows[0].published_by_name == "office"
    auditor = make_actor("auditor", {"audit_admin"})
    with pytest.raises(PermissionDenied):
        oversight.bulletin_page(auditor)


def test_a_bulletin_page_reads_the_checks_of_its_open_panels_only(office):
    """Issue 7: the page tables the checks of the bulletins whose panel is open (the newest
    of the first page, unless closed); the others carry their counts, not their rows."""
    from services import view_cache

    a, b = make_unit("柏泉村"), make_unit("新华社区")
    oversight.record_inspection(office, good_check(a))
    oversight.record_inspection(office, failed_check(b))
    ids = [oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 20)) for _ in range(3)]
    newest, middle, oldest = ids[::-1]
    full = oversight.bulletin_page(office)
    assert all(len(r.results) == 2 and (r.checks, r.failed) == (2, 1) for r in full.rows)
    view_cache.clear()
    with SelectCounter() as sql:
        shown = oversight.bulletin_page(office, opened=(), closed=())
    assert [(r.id, r.checks, r.failed) for r in shown.rows] == [(i, 2, 1) for i in (newest, middle, oldest)]
    assert shown.rows[0].results == full.rows[0].results
    assert [r.results for r in shown.rows[1:]] == [None, None]
    assert len(sql) == 3     # the tokens; the page with its counts and total, the open panel's checks
    shown = oversight.bulletin_page(office, opened={oldest}, closed={newest})
    assert [r.results is not None for r in shown.rows] == [False, False, True]
    assert shown.rows[2].results == full.rows[2].results


def test_a_bulletin_page_of_columns_shows_what_the_bulletins_and_their_checks_hold(office):
    """Issue 7: bulletin_page reads columns (the counts in its page query, the checks joined
    through bulletin_inspection) instead of entities; its rows are what the bulletins, their
    links and inspection_rows hold, for the office and for a unit (its own checks only)."""
    import models.auth as models_auth
    from models.oversight import Bulletin
    from services import view_cache
    from services.oversight.inspections import inspection_rows

    a, b = make_unit("柏泉村"), make_unit("新华社区")
    oversight.record_inspection(office, failed_check(a, at=local(date(2026, 10, 3), 9)))
    oversight.record_inspection(office, good_check(b, at=local(date(2026, 10, 5), 9)))
    first = oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 10))
    oversight.record_inspection(office, good_check(a))
    oversight.record_inspection(office, failed_check(b))
    second = oversight.compile_bulletin(office, date(2026, 10, 1), date(2026, 10, 20), "第二份")
    draft = oversight.compile_bulletin(office, date(2026, 10, 15), date(2026, 10, 20))
    for bid in (first, second):
        oversight.publish_bulletin(office, bid, 1)

    def expected(unit_id):
        with reading() as s:
            found = s.execute(select(Bulletin).order_by(Bulletin.id.desc())).scalars().all()
            out = []
            for bul in found:
                links = [link for link in bul.inspections if unit_id is None or link.unit_id == unit_id]
                if unit_id is not None and (bul.state != "published" or not links):
                    continue
                rows = tuple(inspection_rows(s, ids=[link.inspection_id for link in links]))
                publisher = s.get(models_auth.User, bul.published_by_id) if bul.published_by_id else None
                out.append(oversight.BulletinRow(
                    bul.id, bul.version, bul.number, bul.title, bul.period_start, bul.period_end,
                    bul.intro, bul.state, bul.created_at, bul.published_at,
                    publisher.display_name if publisher else None, len(rows),
                    sum(1 for r in rows if not r.passed), rows))
            return out

    officer_a = make_actor("unita", {"unit_duty_officer"}, unit_id=a)
    for who, unit_id in ((office, None), (officer_a, a)):
        view_cache.clear()
        want = expected(unit_id)
        assert oversight.bulletin_page(who, opened=None).rows == want
        assert oversight.list_bulletins(who) == want
        view_cache.clear()
        shown = oversight.bulletin_page(who, opened=())          # the newest open only
        assert shown.rows == [want[0]] + [replace_results(r, None) for r in want[1:]]
    assert [r.id for r in expected(None)] == [draft, second, first]
    assert [(r.checks, r.failed) for r in expected(a)] == [(2, 1), (1, 1)]


def replace_results(row, results):
    from dataclasses import replace
    return replace(row, results=results)


def test_training_sessions_are_paged_with_their_attendees(office):
    unit = make_unit("柏泉村")
    people = [make_person(unit, f"学员{n}") for n in range(3)]
    ids = [oversight.create_session(office, "yearly", date(2026, 10, 1) + timedelta(days=n), f"培训{n}")
           for n in range(12)]
    oversight.record_attendance(office, ids[11], people[:2])
    oversight.record_attendance(office, ids[0], people[2:], passed=False)
    with SelectCounter() as sql:
        first = oversight.session_page(office, 1, per_page=10)
    assert len(sql) == 4 and (first.total, first.pages, len(first.rows)) == (12, 2, 10)  # + tokens
    with SelectCounter() as sql:    # a rerun: kept (services/view_cache), the tokens read only
        assert oversight.session_page(office, 1, per_page=10) == first
    assert [q.split()[1] for q in sql] == ["data_version.table_name,"]
    assert [x.title for x in first.rows] == [f"培训{n}" for n in range(11, 1, -1)]
    assert [a.name for a in first.rows[0].attendees] == ["学员0", "学员1"]
    assert oversight.session_page(office).pages == 3                       # 5 a page by default
    last = oversight.session_page(office, 2, per_page=10)
    assert [x.id for x in last.rows] == [ids[1], ids[0]]
    assert last.rows[1].attendees[0].passed is False and last.rows[1].attendees[0].unit_name == "柏泉村"
    choices = oversight.attendance_choices(office)
    assert {choices[p] for p in people} == {f"学员{n}（柏泉村）" for n in range(3)}
    oversight.record_attendance(office, ids[10], people[2:])    # recomputed after a write
    assert [a.name for a in oversight.session_page(office, 1, per_page=10).rows[1].attendees] == ["学员2"]
    with pytest.raises(PermissionDenied):
        oversight.session_page(make_actor("officer1", {"duty_officer"}, unit_id=unit))


def test_training_flags_at_the_twelve_month_edge(office):
    """The SQL pre-filter keeps everyone the rules flag: a yearly training exactly twelve
    months before is kept, a day older is flagged; a pre-job training after the day is none."""
    unit = make_unit("柏泉村")
    on = date(2026, 10, 20)
    edge = make_person(unit, "整一年", pre_job_trained_on=date(2020, 1, 1), yearly_trained_on=date(2025, 10, 20))
    over = make_person(unit, "超一天", pre_job_trained_on=date(2020, 1, 1), yearly_trained_on=date(2025, 10, 19))
    recent_pre = make_person(unit, "新近岗前", pre_job_trained_on=date(2025, 10, 21), yearly_trained_on=None)
    later = make_person(unit, "岗前在后", pre_job_trained_on=date(2026, 10, 21), yearly_trained_on=None)
    future_yearly = make_person(unit, "年度在后", pre_job_trained_on=date(2024, 1, 1),
                                yearly_trained_on=date(2026, 11, 1))
    flags = {f.person_id: f.rule_code for f in oversight.training_flags(office, on)}
    assert flags == {over: "yearly_training_overdue", later: "pre_job_training_missing",
                     future_yearly: "yearly_training_overdue"}
    assert edge not in flags and recent_pre not in flags
    # 29 February: "a year before" is 28 February.
    leap = make_person(unit, "闰日", pre_job_trained_on=date(2027, 2, 28), yearly_trained_on=None)
    assert leap not in {f.person_id for f in oversight.training_flags(office, date(2028, 2, 29))}


def test_open_rectifications_are_paged_oldest_first(office):
    unit = make_unit("柏泉村")
    ids = [oversight.record_inspection(office, failed_check(unit, at=NOW - timedelta(hours=30 - n)))
           for n in range(23)]
    oversight.record_inspection(office, good_check(unit))
    first = oversight.rectification_page(office, 1)
    assert (first.total, first.pages, [r.id for r in first.rows]) == (23, 2, ids[:20])
    assert [r.id for r in oversight.rectification_page(office, 2).rows] == ids[20:]


def test_statistics_count_by_local_day_and_month_in_the_database(office):
    unit = make_unit("柏泉村")
    with transaction() as s:
        for occurred in (local(date(2026, 9, 30), 23, 30), local(date(2026, 10, 1), 0, 30),
                         local(date(2026, 10, 31), 23, 59)):
            s.add(Incident(unit_id=unit, title="测试", occurred_at=occurred, received_at=occurred,
                           place="柏泉大道", source_kind="phone", category="accident", level="IV",
                           classification="internal", state="reported", owner_user_id=office.user_id,
                           created_at=occurred))
        for at in (local(date(2026, 10, 1), 0, 5), local(date(2026, 10, 1), 23, 55),
                   local(date(2026, 10, 2), 0, 0)):
            s.add(Call(unit_id=unit, at=at, kind="other", summary="咨询", owner_user_id=office.user_id))
    stats = oversight.statistics(office, date(2026, 9, 1), date(2026, 10, 31))
    assert stats.by_month == [{"月份": "2026-09", "起数": 1}, {"月份": "2026-10", "起数": 2}]
    assert stats.calls_per_day == [{"日期": "2026-10-01", "来电数": 2}, {"日期": "2026-10-02", "来电数": 1}]
    assert next(r for r in stats.by_category if r["类别"] == "事故灾难")["起数"] == 3
    assert sum(r["起数"] for r in stats.by_level) == 3
    assert stats.on_time[-1]["及时率"] == "—"


def test_statistics_figures_are_those_of_the_rows_in_the_period(office):
    """Every figure of 统计 is the count of the records of the period it names: incidents
    by category, level (none: 未定级) and month, the first and last months cut to the period
    at local midnight; calls per local day (days without calls left out); clocks by kind
    and outcome at the time."""
    unit = make_unit("柏泉村")
    start, end = date(2026, 8, 15), date(2026, 10, 30)
    lo, hi = local(start), local(end + timedelta(days=1))
    cats, levels = ["natural_disaster", "accident", "public_health", "social_security"], ["I", "II", "III", "IV", None]
    # Around each edge: the period's, a month's, a local day's (UTC 16:00).
    moments = [lo - timedelta(microseconds=1), lo, local(date(2026, 8, 31), 23, 59), local(date(2026, 9, 1)),
               local(date(2026, 9, 1)) - timedelta(hours=8), local(date(2026, 9, 30), 23, 59),
               local(date(2026, 10, 1)), local(date(2026, 10, 19), 23, 59), hi - timedelta(microseconds=1), hi]
    assert lo < NOW < hi
    incidents, calls = [], []
    with transaction() as s:
        for n, at in enumerate(moments * 3):
            c, lv = cats[n % 4], levels[n % 5]
            s.add(Incident(unit_id=unit, title="测试", occurred_at=at, received_at=at, place="柏泉大道",
                           source_kind="phone", category=c, level=lv, classification="internal",
                           state="reported", owner_user_id=office.user_id, created_at=at))
            incidents.append((at, c, lv))
        for n, at in enumerate(moments):
            for _ in range(n % 3 + 1):
                s.add(Call(unit_id=unit, at=at, kind="other", summary="咨询", owner_user_id=office.user_id))
                calls.append(at)
        iid = _incident(s, unit, office.user_id)
        owner = s.get(Incident, iid)
        incidents.append((owner.occurred_at, owner.category, owner.level))
        clocks = []
        for n, due in enumerate([lo, lo + timedelta(days=3), NOW - timedelta(hours=1), NOW, NOW + timedelta(hours=2),
                                 hi - timedelta(microseconds=1), hi, lo - timedelta(seconds=1)]):
            for kind in ("report", "written_owed", "verification"):
                done = [None, due - timedelta(minutes=5), due, due + timedelta(minutes=1)][(n + len(kind)) % 4]
                done = done if done is None or done <= NOW else None
                _clock(s, unit, due, done=done, incident_id=iid, kind=kind)
                clocks.append((kind, due, done))

    stats = oversight.statistics(office, start, end)

    inside = [(at, c, lv) for at, c, lv in incidents if lo <= at < hi]
    assert stats.by_category == [{"类别": label, "起数": sum(c == code for _at, c, _lv in inside)}
                                 for code, label in CATEGORY_LABELS.items()]
    assert stats.by_level == [{"等级": label, "起数": sum(lv == code for _at, _c, lv in inside)}
                              for code, label in LEVEL_LABELS.items()]
    months = Counter(at.astimezone(SHANGHAI).strftime("%Y-%m") for at, _c, _lv in inside)
    assert stats.by_month == [{"月份": m, "起数": months[m]} for m in ("2026-08", "2026-09", "2026-10")]
    days = Counter(str(at.astimezone(SHANGHAI).date()) for at in calls if lo <= at < hi)
    assert stats.calls_per_day == [{"日期": d, "来电数": n} for d, n in sorted(days.items())]

    def outcome(due, done):
        if done is not None:
            return "按时" if done <= due else "超时"
        return "逾期未完成" if due < NOW else "未到期"

    for row, kind in zip(stats.on_time, ("report", "written_owed", "verification")):
        got = Counter(outcome(due, done) for k, due, done in clocks if k == kind and lo <= due < hi)
        assert {k: row[k] for k in ("按时", "超时", "逾期未完成", "未到期")} == {k: got[k] for k in ("按时", "超时", "逾期未完成", "未到期")}
    total = stats.on_time[-1]
    assert [total[k] for k in ("按时", "超时", "逾期未完成", "未到期")] == [
        sum(r[k] for r in stats.on_time[:-1]) for k in ("按时", "超时", "逾期未完成", "未到期")]
    assert min(total[k] for k in ("按时", "超时", "逾期未完成", "未到期")) > 0, total


def test_statistics_count_in_indexes_without_sorting_or_converting_rows(office, db):
    """A year of records is counted in the indexes' order: no statement converts each row's
    time to a local day or month, none sorts the rows to group them (SQLite: no temporary
    B-tree, no table scanned), and the incidents and clocks are read from the indexes made
    for the statistics. (PostgreSQL plans from table statistics, which a test's few rows
    do not give.)"""
    from sqlalchemy import event
    conn = db.kw["bind"]
    seen = []
    listener = lambda c, cur, stmt, params, ctx, many: seen.append((stmt, params))  # noqa: E731
    event.listen(conn, "before_cursor_execute", listener)
    try:
        oversight.statistics(office, date(2026, 1, 1), date(2026, 10, 20))
    finally:
        event.remove(conn, "before_cursor_execute", listener)
    counted = [(stmt, params) for stmt, params in seen
               if any(f"FROM {t}" in stmt for t in ("incident", "deadline_record", "call"))]
    assert len(counted) == 3
    assert not any(f in stmt for stmt, _p in counted
                   for f in ("strftime('%Y-%m-%d', call", "strftime('%Y-%m', incident", "to_char("))
    if conn.dialect.name != "sqlite":
        return
    plans = [" ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params))
             for stmt, params in counted]
    assert "ix_incident_category_level_at" in plans[0] and "ix_incident_occurred_at" in plans[0]
    assert "ix_deadline_record_kind_due" in plans[1]
    assert "ix_call_at" in plans[2]
    assert not any("TEMP B-TREE" in p or "SCAN incident" in p or "SCAN deadline_record" in p
                   or "SCAN call" in p for p in plans), plans


def test_statistics_recount_each_minute_only_what_moves_with_the_time(office, frozen_clock):
    """What is overdue moves with the minute; the counts of incidents and of calls do not,
    and are counted again only when their own table changes."""
    unit = make_unit("柏泉村")
    with transaction() as s:
        _incident(s, unit, office.user_id)

    class Reads(SelectCounter):        # every statement (the calls' begins WITH RECURSIVE)
        def count(self, _conn, _cursor, statement, *_args):
            self.append(statement)

    def counted(sql):
        return {t for t in ("incident", "deadline_record", "call", "instruction_target")
                if any(f"FROM {t} " in stmt or stmt.rstrip().endswith(f"FROM {t}") for stmt in sql)}

    first = oversight.statistics(office, date(2026, 10, 1), date(2026, 10, 31))
    frozen_clock.advance(minutes=1)
    with Reads() as sql:
        again = oversight.statistics(office, date(2026, 10, 1), date(2026, 10, 31))
    assert again == first and counted(sql) == {"deadline_record", "instruction_target"}
    with transaction() as s:
        s.add(Call(unit_id=unit, at=NOW, kind="other", summary="咨询", owner_user_id=office.user_id))
    with Reads() as sql:
        after_call = oversight.statistics(office, date(2026, 10, 1), date(2026, 10, 31))
    assert counted(sql) == {"deadline_record", "instruction_target", "call"}
    assert after_call.by_category == first.by_category and after_call.calls_per_day == [{"日期": "2026-10-20", "来电数": 1}]
