"""Roster files: the Excel round trip, an all-or-nothing import with row-numbered errors
(第九条 cited for a temporary worker), and iCalendar exports (RFC 5545: CRLF, UTC, folding)."""
import re
from datetime import date, datetime, timezone
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from documents import ics
from duty_support import make_actor, make_street
from models.audit import AuditEvent
from services import calendar, roster_files, rosters
from services.errors import DomainError, PermissionDenied, ValidationError
from services.permissions import SYSTEM_ACTOR
from services.uow import reading


@pytest.fixture
def street(db, frozen_clock):
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    st = make_street()
    st.admin = make_actor("office", {"office_admin"})
    start, end = calendar.whole_days(date(2026, 10, 1), date(2026, 10, 15))
    calendar.create_special_period(st.admin, calendar.PeriodData("flood_season", "防汛期", start, end))
    return st


def _staffing(street, year=2026, month=10):
    view = rosters.month_view(street.admin, street.unit_id, year, month)
    return [(r.starts_at, r.template_code, tuple(o.id for o in r.officers),
             r.leader.id if r.leader else None) for r in view.shifts]


def _imports():
    with reading() as s:
        return s.execute(select(AuditEvent).where(AuditEvent.action == "roster.import")).all()


def test_excel_round_trip(street):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=1)
    original = _staffing(street)
    exported = roster_files.export_roster_xlsx(street.admin, street.unit_id, 2026, 10)
    assert exported.filename == "柏泉村2026年10月值班表.xlsx" and exported.content[:2] == b"PK"
    sheet = load_workbook(BytesIO(exported.content))["值班表"]
    assert [c.value for c in sheet[1]][:8] == ["日期*", "星期", "班次*", "开始", "结束", "值班员1", "值班员2", "带班领导"]
    assert sheet["C2"].value == "24小时班" and sheet["E2"].value == "次日08:30"
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=2)
    assert _staffing(street) != original
    result = roster_files.import_roster_xlsx(street.admin, street.unit_id, 2026, 10, exported.content)
    assert (result.shifts, result.rows, result.violations) == (31, 31, [])
    assert _staffing(street) == original


def _edit(content: bytes, cells: dict[str, object]) -> bytes:
    wb = load_workbook(BytesIO(content))
    ws = wb["值班表"]
    for ref, value in cells.items():
        ws[ref] = value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_bad_rows_import_nothing_and_are_numbered(street):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10, seed=1)
    before = _staffing(street)
    exported = roster_files.export_roster_xlsx(street.admin, street.unit_id, 2026, 10).content
    bad = _edit(exported, {"F3": "临时工", "A5": datetime(2026, 11, 1), "C7": "早班",
                           "G9": "查无此人", "A11": "2026-10-02"})
    with pytest.raises(ValidationError) as err:
        roster_files.import_roster_xlsx(street.admin, street.unit_id, 2026, 10, bad)
    assert err.value.problems == [
        "第3行 临时工为临时人员，不得安排值班（第九条）",
        "第5行 日期：2026-11-01不在2026年10月",
        "第7行 班次：应为24小时班、白班、夜班之一",
        "第9行 值班员2：「查无此人」不是柏泉村的人员",
        "第11行 日期、班次：与第3行重复",
    ]
    assert _staffing(street) == before and _imports() == []


def test_template_fills_a_new_month(street):
    template = roster_files.roster_template_xlsx(street.admin, street.unit_id, 2026, 11, "day_night")
    wb = load_workbook(BytesIO(template.content))
    ws = wb["值班表"]
    assert ws.max_row == 1 + 30 * 2 and ws["C2"].value == "白班" and ws["C3"].value == "夜班"
    assert "人员" in wb.sheetnames and "说明" in wb.sheetnames
    ws["F2"], ws["F3"] = "张三", "李四"
    out = BytesIO()
    wb.save(out)
    result = roster_files.import_roster_xlsx(street.admin, street.unit_id, 2026, 11, out.getvalue())
    assert result.shifts == 60 and result.rows == 60
    view = rosters.month_view(street.admin, street.unit_id, 2026, 11)
    assert view.template_set == "day_night"
    assert [o.name for o in view.shifts[0].officers] == ["张三"]
    assert [o.name for o in view.shifts[1].officers] == ["李四"]
    assert any(v.rule_code == "no_duty_officer" for v in result.violations)  # the rest stay empty


def test_import_is_refused_into_a_published_month_and_for_other_units(street):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    rosters.publish(street.admin, view.roster_id, view.roster_version)
    exported = roster_files.export_roster_xlsx(street.admin, street.unit_id, 2026, 10).content
    with pytest.raises(DomainError, match="已发布"):
        roster_files.import_roster_xlsx(street.admin, street.unit_id, 2026, 10, exported)
    clerk = make_actor("clerk", {"unit_duty_officer"}, unit_id=make_street("径河村").unit_id)
    with pytest.raises(PermissionDenied):
        roster_files.import_roster_xlsx(clerk, street.unit_id, 2026, 10, exported)


def test_not_a_workbook(street):
    with pytest.raises(ValidationError, match="文件：不是有效的 Excel 文件"):
        roster_files.import_roster_xlsx(street.admin, street.unit_id, 2026, 10, b"hello")


# ---------------------------------------------------------------- iCalendar

def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def _check_rfc5545(content: bytes) -> list[str]:
    text = content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT")
    for line in lines:
        if line.startswith(("DTSTART", "DTEND", "DTSTAMP")):
            assert re.fullmatch(r"DT(START|END|STAMP):\d{8}T\d{6}Z", line), line
    return lines


def test_unit_and_person_ics(street):
    rosters.auto_schedule_month(street.admin, street.unit_id, 2026, 10)
    view = rosters.month_view(street.admin, street.unit_id, 2026, 10)
    rosters.publish(street.admin, view.roster_id, view.roster_version)

    unit_file = roster_files.ics_for_unit(street.admin, street.unit_id, 2026, 10)
    assert unit_file.mime == "text/calendar" and unit_file.filename.endswith(".ics")
    lines = _check_rfc5545(unit_file.content)
    assert lines.count("BEGIN:VEVENT") == 31
    assert "DTSTART:20261001T003000Z" in lines and "DTEND:20261002T003000Z" in lines  # 08:30 Beijing
    assert "STATUS:CONFIRMED" in lines
    assert any(line.startswith("SUMMARY:柏泉村值班：") for line in lines)
    assert any("DESCRIPTION:" in line and "值班电话：027-83881234" in line for line in lines)

    zhang = street.officers["张三"]
    duties = sum(1 for r in view.shifts if zhang in {o.id for o in r.officers})
    person_file = roster_files.ics_for_person(street.admin, zhang)
    lines = _check_rfc5545(person_file.content)
    assert lines.count("BEGIN:VEVENT") == duties > 0
    assert f"UID:shift-{next(r.id for r in view.shifts if zhang in {o.id for o in r.officers})}" \
           f"-person-{zhang}@dutydesk" in lines


def test_ics_writer_escapes_and_folds():
    long = "防汛期双人专职24小时值班，领导在岗带班；" * 4
    start = datetime(2026, 10, 1, 0, 30, tzinfo=timezone.utc)
    content = ics.calendar("测试", [ics.Event("a@b", start, start, long, "第一行\n第二行")], start)
    text = content.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:" + long   # full-width punctuation needs no escaping
    assert "DESCRIPTION:第一行\\n第二行" in lines
    assert ics.escape("a,b;c\\d") == "a\\,b\\;c\\\\d"
