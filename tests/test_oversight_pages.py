"""The oversight pages through app.py, signed in, on a committed database (`fresh_db`),
SQLite and PostgreSQL: the spot-check list with its phone numbers, recording checks,
rectification; the other oversight pages open without error for the office."""
from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest

from conftest import SelectCounter
from duty_support import make_person
from services import clock, oversight
from services.directory import units
from services.directory.units import UnitData
from services.oversight import InspectionInput
from services.oversight.common import day_start
from services.permissions import SYSTEM_ACTOR
from test_incident_pages import _make, by_label, errors, signed_in


@pytest.fixture
def street(fresh_db, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    office_unit = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                                    duty_phone="027-83881234")
    a = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉村", "grassroots"), duty_phone="027-83880001")
    b = units.create_unit(SYSTEM_ACTOR, UnitData("新华社区", "grassroots"), duty_phone="027-83880002")
    return SimpleNamespace(office=_make("zhouba", "周八", "office_admin", office_unit),
                           officer=_make("wangwu", "王五", "duty_officer", office_unit),
                           unit_a=a, unit_b=b)


def test_office_generates_a_list_records_checks_and_follows_rectification(street):
    at = signed_in("zhouba", "pages/inspections.py")
    assert at.title[0].value == "检查抽查"
    by_label(at.number_input, "抽查单位数").set_value(2)
    by_label(at.number_input, "随机种子（可选）").set_value(7)
    next(b for b in at.button if b.label == "生成抽查名单").click()
    at.run()
    listed = at.table[0].value
    assert set(listed["值班电话"]) == {"027-83880001", "027-83880002"}
    assert set(listed["上次检查"]) == {"从未检查"}

    # Only the chosen tab is built: the record form appears once its tab is opened.
    assert not any(b.label == "保存检查记录" for b in at.button)
    at.session_state["ins_tab"] = "登记检查"        # as a click on the tab
    at.run()
    k = "inspection_new_0"
    at.selectbox(key=f"{k}_unit").set_value(street.unit_b)
    at.selectbox(key=f"{k}_answered").set_value(False)
    next(b for b in at.button if b.label == "保存检查记录").click()
    at.run()
    assert "发现的问题：检查不合格的，须写明发现的问题（第十七条）" in errors(at)
    at.text_area(key=f"{k}_findings").input("值班电话无人接听")
    at.checkbox(key=f"{k}_rectify").check()
    next(b for b in at.button if b.label == "保存检查记录").click()
    at.run()
    assert not at.exception and not errors(at)
    rows = oversight.list_inspections(street.office)
    assert len(rows) == 1 and not rows[0].passed and rows[0].rectification_required

    # Rectification follow-up tab shows it; completing it clears the list.
    at.session_state["ins_tab"] = "整改跟踪"
    at.run()
    key = next(t.key for t in at.text_area if t.label == "整改情况")
    at.text_area(key=key).input("已落实专人值守")
    next(b for b in at.button if b.label == "整改完成").click()
    at.run()
    assert not at.exception and not errors(at)
    assert any("没有待整改的检查" in s.value for s in at.success)
    at.session_state["ins_tab"] = "检查记录"
    at.run()
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 1


def test_other_oversight_pages_open_for_the_office_and_are_hidden_from_duty_officers(street):
    at = signed_in("zhouba")
    titles = set(at.session_state["_nav_titles"])
    assert {"检查抽查", "通报", "培训", "合规看板", "统计"} <= titles
    for page, title in (("pages/bulletins.py", "通报"), ("pages/training.py", "培训"),
                        ("pages/compliance.py", "合规看板"), ("pages/statistics.py", "统计")):
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == title
    officer = signed_in("wangwu")
    seen = set(officer.session_state["_nav_titles"])
    assert "通报" in seen and not {"检查抽查", "培训", "合规看板", "统计"} & seen


def _today_before(now, **ago):
    """`ago` before now, but not before today began (local): the dashboard's default period
    ends today, and just after midnight an hour ago is yesterday."""
    return max(now - timedelta(**ago), day_start(clock.local(now).date()))


def _checks(street) -> None:
    now = clock.now()
    oversight.record_inspection(street.office, InspectionInput(
        unit_id=street.unit_a, at=_today_before(now, hours=1), method="phone", answered=True,
        answer_seconds=8, officer_present=True, officer_permanent=True))
    oversight.record_inspection(street.office, InspectionInput(
        unit_id=street.unit_b, at=_today_before(now, hours=2), method="phone", answered=False,
        findings="值班电话无人接听", rectification_required=True,
        rectification_deadline=clock.local(now).date() + timedelta(days=3)))


def test_compliance_page_tables_a_measures_records_only_while_its_panel_is_open(street):
    _checks(street)
    at = signed_in("zhouba")
    at.switch_page("pages/compliance.py")
    at.run()
    assert "第十七条 检查抽查不合格：1" in [e.label for e in at.expander]
    assert len(at.dataframe) == 1                                   # the dashboard alone
    at.session_state["cmp_box_failed_inspection"] = True
    at.run()
    assert not at.exception
    [records] = [d.value for d in at.dataframe if "情况" in d.value.columns]
    assert list(records["情况"].str.contains("值班电话无人接听")) == [True]


def test_compliance_page_reruns_without_computing_the_month_again_until_the_data_changes(street):
    _checks(street)
    at = signed_in("zhouba")
    at.switch_page("pages/compliance.py")
    # Within one minute: the dashboard is computed again each minute (what is overdue
    # depends on the time), and a run crossing one would count it.
    now = clock.now()
    clock.set_source(lambda: now)
    try:
        with SelectCounter() as first:                   # the figures, counted in the database
            at.run()
        with SelectCounter() as opened:                  # a panel opened: the records, once
            at.session_state["cmp_box_failed_inspection"] = True
            at.run()
        with SelectCounter() as rerun:                   # another click: nothing recomputed
            at.session_state["cmp_box_late_check_in"] = True
            at.run()
    finally:
        clock.set_source(None)
    assert not at.exception
    assert any("count(" in q.lower() and "check_in" in q for q in first)
    assert not [q for q in first if "ORDER BY check_in.at" in q]      # no record read for a figure
    assert [q for q in opened if "ORDER BY check_in.at" in q]
    assert not [q for q in rerun if "inspection" in q or "check_in" in q]
    assert [e.label for e in at.expander if e.label.startswith("第十七条 检查抽查不合格")] == ["第十七条 检查抽查不合格：1"]
    # Another officer records a failed check: the next run shows it.
    oversight.record_inspection(street.office, InspectionInput(
        unit_id=street.unit_a, at=_today_before(clock.now(), minutes=5), method="phone",
        answered=False, findings="值班员不在岗", rectification_required=True,
        rectification_deadline=clock.local(clock.now()).date() + timedelta(days=3)))
    at.run()
    assert "第十七条 检查抽查不合格：2" in [e.label for e in at.expander]


def test_bulletins_page_shows_the_newest_a_page_at_a_time(street):
    _checks(street)
    today = clock.local(clock.now()).date()
    numbers = []
    for _ in range(7):
        oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
        numbers.append(oversight.list_bulletins(street.office)[0].number)
    at = signed_in("zhouba", "pages/bulletins.py")
    shown = [e.label for e in at.expander if e.label.startswith("**柏办通")]   # one panel each
    assert len(shown) == 5 and numbers[-1] in shown[0] and numbers[2] in shown[-1]
    assert "已发布" not in shown[0] and "草稿 · 检查 2 次，不合格 1 次" in shown[0]
    assert any("共 7 份（最新的在前）" in c.value for c in at.caption)
    assert any("新华社区检查不合格" in w.value for w in at.warning)
    assert len(at.dataframe) == 1                      # the newest one's checks; the rest on opening
    second = oversight.list_bulletins(street.office)[1].id
    at.session_state[f"bulletin_box_{second}"] = True
    at.run()
    assert len(at.dataframe) == 2
    by_label(at.selectbox, "页码").set_value(2)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.label for e in at.expander if e.label.startswith("**柏办通")]
    assert len(shown) == 2 and numbers[0] in shown[-1]
    assert not at.dataframe


def test_bulletins_page_tables_a_bulletins_checks_as_arrow_columns_with_the_same_values(street, monkeypatch):
    """Issue 7: the open panel's checks go to st.dataframe column by column (no pandas frame
    built from rows on each first view); the cells are those of the rows it used to build."""
    from streamlit import dataframe_util

    from ui.incidents import fmt

    _checks(street)
    today = clock.local(clock.now()).date()
    oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
    [bulletin] = oversight.list_bulletins(street.office)
    want = [{"单位": r.unit_name, "检查时间": fmt(r.at), "方式": r.method_label,
             "接听情况": r.answered_text, "结论": "合格" if r.passed else "不合格",
             "发现问题": "；".join(r.problems + ([r.findings] if r.findings else [])),
             "整改期限": str(r.rectification_deadline or ""), "整改情况": r.rectification_status}
            for r in bulletin.results]

    def refuse(*_a, **_k):
        raise AssertionError("a pandas frame was built from rows")

    monkeypatch.setattr(dataframe_util, "convert_anything_to_pandas_df", refuse)
    at = signed_in("zhouba", "pages/bulletins.py")
    assert not at.exception, [e.value for e in at.exception]
    [table] = at.dataframe
    assert table.value.to_dict("records") == want and len(want) == 2
    [failed] = [w for w in want if w["结论"] == "不合格"]
    assert [w.value for w in at.warning] == [
        f"新华社区检查不合格：{failed['发现问题']}（整改期限 {failed['整改期限']}，整改中）"]


def _row_of(at, key: str):
    """The horizontal block directly holding the widget of this key, or None when it stands
    in a vertical one (its bulletin's box); False when there is no such widget."""
    from streamlit.testing.v1.element_tree import Block

    def walk(node, row):
        if getattr(node, "key", None) == key:
            return row
        for child in getattr(node, "children", {}).values():
            inner = row
            if isinstance(child, Block) and child.type == "flex_container":
                flex = child.proto.flex_container
                inner = child if flex.direction == flex.HORIZONTAL else None
            found = walk(child, inner)
            if found is not False:
                return found
        return False
    return walk(at._tree, None)


def test_bulletins_page_makes_a_bulletins_file_and_offers_it_beside_its_button(street):
    """A published bulletin has one button (no row of buttons), in its panel once open;
    clicking it shows the download beside it, in that run and the next; a draft's buttons
    are a row."""
    _checks(street)
    today = clock.local(clock.now()).date()
    published = oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
    oversight.publish_bulletin(street.office, published, 1)
    draft = oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
    at = signed_in("zhouba", "pages/bulletins.py")
    assert len([b for b in at.button if b.label == "生成 .docx"]) == 1    # the newest is open
    at.session_state[f"bulletin_box_{published}"] = True
    at.run()
    make = {b.key: b for b in at.button if b.label == "生成 .docx"}
    mine = next(k for k in make if k.startswith(f"bulletin_{published}_"))
    theirs = next(k for k in make if k.startswith(f"bulletin_{draft}_"))
    assert _row_of(at, mine) is None and _row_of(at, theirs) is not None
    assert not at.get("download_button")
    make[mine].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [download] = at.get("download_button")
    row = _row_of(at, mine)
    assert row is not None and download in row.children.values()
    at.run()
    assert len(at.get("download_button")) == 1 and _row_of(at, mine) is not None


def test_bulletins_page_lists_a_bulletins_failed_checks_in_one_alert(street):
    _checks(street)
    now = clock.now()
    oversight.record_inspection(street.office, InspectionInput(
        unit_id=street.unit_a, at=now - timedelta(hours=3), method="phone", answered=True,
        answer_seconds=20, officer_present=False, officer_permanent=True, findings="值班员离岗",
        rectification_required=True, rectification_deadline=clock.local(now).date() + timedelta(days=3)))
    today = clock.local(now).date()
    oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
    at = signed_in("zhouba", "pages/bulletins.py")
    [alert] = at.warning
    lines = alert.value.split("\n")
    assert len(lines) == 2 and all(line.startswith("- ") for line in lines)
    assert lines[0].startswith("- 柏泉村检查不合格：值班人员不在岗；值班员离岗（整改期限 ") \
        and lines[1].startswith("- 新华社区检查不合格：值班电话无人接听；值班电话无人接听（整改期限 ")


def test_bulletins_page_tables_an_open_panel_the_last_run_did_not_draw(street):
    """The page reads the panels the last run drew; a panel open otherwise (its state set
    before the page showing it was chosen) still tables its checks."""
    _checks(street)
    today = clock.local(clock.now()).date()
    ids = [oversight.compile_bulletin(street.office, today - timedelta(days=3), today)
           for _ in range(7)]
    at = signed_in("zhouba", "pages/bulletins.py")
    at.session_state[f"bulletin_box_{ids[0]}"] = True        # the oldest, on page 2
    by_label(at.selectbox, "页码").set_value(2)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [table] = at.dataframe
    assert len(table.value) == 2


def test_training_page_pages_sessions_and_records_attendance_in_one_form(street):
    person = make_person(street.unit_a, "李学员")
    today = clock.local(clock.now()).date()
    ids = [oversight.create_session(street.office, "yearly", today - timedelta(days=n), f"培训{n}")
           for n in range(12)]
    at = signed_in("zhouba", "pages/training.py")
    titles = [m.value for m in at.markdown if m.value.startswith("**培训")]
    assert len(titles) == 5 and titles[0].startswith("**培训0**")
    assert any("共 12 次（最新的在前）" in c.value for c in at.caption)
    assert not any(m.label == "参训人员" for m in at.multiselect)     # built once its panel opens
    at.session_state["attend_box"] = True
    at.run()
    by_label(at.selectbox, "登记参训的培训").set_value(ids[3])
    at.run()
    by_label(at.multiselect, "参训人员").set_value([person])
    next(b for b in at.button if b.label == "登记参训").click()
    at.run()
    assert not at.exception and not errors(at), errors(at)
    session = next(x for x in oversight.list_sessions(street.office) if x.id == ids[3])
    assert [a.name for a in session.attendees] == ["李学员"]
    # Who attended: the count in the panel's label, the table drawn once the panel is open.
    at.run()
    assert "参训人员 1 人：合格 1 人" in [e.label for e in at.expander]
    assert not at.dataframe
    at.session_state[f"training_attendees_{ids[3]}"] = True
    at.run()
    assert list(at.dataframe[0].value["姓名"]) == ["李学员"]
    by_label(at.selectbox, "页码").set_value(3)
    at.run()
    assert [m.value for m in at.markdown if m.value.startswith("**培训")] == [
        f"**培训{n}** · 年度培训 · {today - timedelta(days=n)}" for n in (10, 11)]


def test_statistics_page_charts_calls_per_day_and_tables_the_days_only_when_asked(street):
    from services.daily import calls

    at = signed_in("zhouba")
    at.switch_page("pages/statistics.py")
    at.run()
    assert "期间内没有来电记录。" in [i.value for i in at.info]
    assert not [e for e in at.expander if e.label.startswith("按日明细")]

    for n in range(3):
        calls.log_call(street.officer, calls.CallInput(summary=f"第{n}个来电"))
    at.run()
    assert not at.exception and not at.info
    assert [e.label for e in at.expander if e.label.startswith("按日明细")] == ["按日明细（1天有来电）"]
    [chart] = [spec for spec in (json.loads(c.proto.spec) for c in at.get("vega_lite_chart"))
               if spec["title"] == "每日来电"]
    assert chart["encoding"]["y"]["field"] == "来电数"
    assert not [d for d in at.dataframe if "来电数" in d.value.columns]      # the days not tabled
    assert any(b.proto.label == "导出每日来电（.xlsx）" for b in at.get("download_button"))

    at.session_state["stat_calls_box"] = True                               # the panel opened
    at.run()
    [days] = [d.value for d in at.dataframe if "来电数" in d.value.columns]
    assert list(days["日期"]) == [str(clock.local(clock.now()).date())] and list(days["来电数"]) == [3]
