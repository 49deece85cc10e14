"""The incident pages as a user meets them (AppTest through app.py, signed in), on a committed
database of their own (`fresh_db`), SQLite and PostgreSQL.

AppTest does not tick `st.fragment(run_every=…)`: a test that wants the desk again calls
`.run()` itself.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from services import auth, clock
from services import incidents as inc
from services.directory import units
from services.directory.units import UnitData
from services.permissions import SYSTEM_ACTOR, Actor

GOOD = "Duty#2026ok"
DISTRICT = ["district_duty_office", "district_emergency_bureau"]
LEADERS = ["office_head", "shift_leader", "principal_leader"]
ELEMENTS = {
    "time": "7月1日9时55分", "place": "柏泉街某社区", "source": "网格员电话报告",
    "cause_nature": "液化气泄漏引发爆炸", "situation": "民房局部坍塌", "consequences": "",
    "scope": "周边 50 米", "trend": "已控制", "handling": "消防到场处置", "measures": "疏散群众",
    "suggestions": "请区应急管理局派员指导",
}


@pytest.fixture
def street(fresh_db, tmp_path, monkeypatch, apptest_v2):
    """A street office with a duty officer, a shift leader and an office admin."""
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    unit_id = units.create_unit(SYSTEM_ACTOR, UnitData("柏泉街道办事处", "street_office"),
                                duty_phone="027-83881234")
    return SimpleNamespace(
        unit_id=unit_id,
        officer=_make("wangwu", "王五", "duty_officer", unit_id),
        leader=_make("lizhuren", "李主任", "shift_leader", unit_id),
        office=_make("zhouba", "周八", "office_admin", unit_id))


def _make(username: str, name: str, role: str, unit_id: int) -> Actor:
    from models.auth import User
    from services.uow import transaction

    uid = auth.create_user(SYSTEM_ACTOR, username, name, GOOD, unit_id=unit_id, roles={role})
    with transaction() as s:
        s.get(User, uid).must_change_password = False
    return Actor(user_id=uid, username=username, display_name=name, roles=frozenset({role}),
                 unit_id=unit_id)


def signed_in(username: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=30)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(GOOD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def by_label(widgets, label: str):
    return next(w for w in widgets if w.label == label)


def _receive(actor: Actor, minutes_ago: int, **over) -> int:
    values = dict(title="某社区液化气爆炸事故", occurred_at=clock.now() - timedelta(minutes=minutes_ago),
                  place="柏泉街某社区 3 号楼", category="accident", source_kind="phone",
                  source_text="网格员张某", level="III", description="民房局部坍塌")
    values.update(over)
    return inc.receive(actor, inc.IntakeInput(**values))


def _version(incident_id: int) -> int:
    return inc.incident_detail(SYSTEM_ACTOR, incident_id).incident.version


# ---------------------------------------------------------------- landing and navigation

def test_duty_roles_land_on_the_desk_and_see_the_incident_pages(street):
    at = signed_in("wangwu")
    assert at.title[0].value == "值班台"
    titles = set(at.session_state["_nav_titles"])
    assert {"值班台", "接报登记", "突发事件", "核报"} <= titles
    assert not {"审批", "报告时限设置"} & titles
    leader = signed_in("lizhuren")
    assert "审批" in leader.session_state["_nav_titles"]
    office = signed_in("zhouba")
    assert "报告时限设置" in office.session_state["_nav_titles"]


def test_the_incident_list_shows_a_page_at_a_time(street):
    for n in range(inc.PER_PAGE + 2):
        _receive(street.officer, 60 - n, title=f"事件{n:02d}")
    at = signed_in("wangwu", "pages/incidents.py")
    assert len(at.dataframe[0].value) == inc.PER_PAGE
    assert at.dataframe[0].value["事件"].iloc[0] == f"事件{inc.PER_PAGE + 1:02d}"   # newest first
    at.selectbox(key="incident_page_open").set_value(2).run()
    assert list(at.dataframe[0].value["事件"]) == ["事件01", "事件00"]
    offered = at.selectbox(key="incident_pick").options                     # this page's two
    assert len(offered) == 2 and offered[0].startswith("事件01") and offered[1].startswith("事件00")
    at.segmented_control(key="incident_scope").set_value("all").run()       # its own page, from 1
    assert not at.exception and len(at.dataframe[0].value) == inc.PER_PAGE


# ---------------------------------------------------------------- intake

def test_intake_creates_an_incident_and_shows_its_clocks(street):
    at = signed_in("wangwu", "pages/intake.py")
    assert at.title[0].value == "接报登记"
    k = "intake_0"
    at.text_input(key=f"{k}_title").input("某路口危化品槽车侧翻")
    occurred = clock.local(clock.now()).replace(tzinfo=None, second=0, microsecond=0) - timedelta(minutes=2)
    at.datetime_input(key=f"{k}_occurred_at").set_value(occurred)
    at.text_input(key=f"{k}_place").input("柏泉大道与新沟路口")
    at.selectbox(key=f"{k}_category").set_value("accident")
    at.selectbox(key=f"{k}_level").set_value("II")
    at.text_input(key=f"{k}_caller").input("李某")
    at.text_area(key=f"{k}_description").input("槽车侧翻，少量泄漏")
    submit(at, "登记接报").click().run()
    assert not at.exception and not at.error, errors(at)

    [row] = inc.list_incidents(street.officer)
    assert (row.title, row.level, row.owner_user_id) == ("某路口危化品槽车侧翻", "II", street.officer.user_id)
    # the switch to the detail page happened, with the incident's clocks
    assert at.title[0].value == "突发事件"
    assert at.query_params["id"] == str(row.id)
    assert any("已登记「某路口危化品槽车侧翻」" in s.value for s in at.success)
    assert at.header[0].value.replace("\\", "") == "某路口危化品槽车侧翻"
    clocks = at.dataframe[0].value
    labels = list(clocks["报送对象（方式）"])
    assert "区政府办公室总值班室（电话）" in labels and "区应急管理局（书面）" in labels
    phone = clocks[clocks["报送对象（方式）"] == "区政府办公室总值班室（电话）"].iloc[0]
    assert phone["应于"] == (occurred + timedelta(minutes=10)).strftime("%m-%d %H:%M")
    assert phone["状态"] in ("正常", "即将到期")


def test_intake_validation_names_the_field(street):
    at = signed_in("wangwu", "pages/intake.py")
    k = "intake_0"
    at.text_input(key=f"{k}_title").input("某小区停电")
    at.text_input(key=f"{k}_place").input("柏泉小区")
    submit(at, "登记接报").click().run()
    text = errors(at)
    assert "事发时间：不能为空" in text and "第二十一条" in text
    assert "事件类别：请选择" in text
    assert inc.list_incidents(street.officer) == []
    assert at.title[0].value == "接报登记"
    assert at.text_input(key=f"{k}_title").value == "某小区停电"   # what was typed stays


def test_a_repeat_call_is_linked_to_the_open_incident(street):
    iid = _receive(street.officer, 5)
    at = signed_in("wangwu", "pages/intake.py")
    k = "intake_repeat_0"
    at.selectbox(key=f"{k}_incident").set_value(iid)
    at.text_input(key=f"{k}_caller").input("赵某")
    at.text_area(key=f"{k}_summary").input("同一起爆炸，群众再次报告")
    submit(at, "记入该事件").click().run()
    assert not at.error, errors(at)
    assert [i.caller for i in inc.incident_detail(street.officer, iid).intakes] == ["", "赵某"]
    assert at.title[0].value == "突发事件"


# ---------------------------------------------------------------- the desk

def test_desk_lists_clocks_most_urgent_first_and_one_click_opens_the_action(street):
    major = _receive(street.officer, 6, title="重大事故", level="II")       # phone due in 4 min: amber
    larger = _receive(street.officer, 20, title="较大事故", category="public_health")  # written in 40: normal
    for iid in (major, larger):   # the leaders' at-once calls are done
        inc.record_phone_report(street.officer, iid, _version(iid), inc.PhoneReportInput(
            recipients=LEADERS, summary="已电话报告领导"))
    at = signed_in("wangwu")
    assert at.title[0].value == "值班台"
    assert [m.value for m in at.metric][:3] == ["0", "2", "9"]   # 已超时, 即将到期, 正常
    links = [link for link in at.get("page_link") if link.value != "打开"]
    assert [link.value for link in links][:2] == ["登记电话报告", "登记电话报告"]
    assert len(links) == 10 and not at.dataframe   # 11 clocks: ten cards, the list folded
    # Each card one bordered row of two elements, the clock and the link to its action:
    # Streamlit's cost is per element and block.
    assert not any(c.get("page_link") for c in at.columns)
    first = next(m.value for m in at.markdown if m.value.startswith(":orange-badge[即将到期]"))
    assert "剩余" in first and "**重大事故" in first
    assert ":gray[:small[报告时限：" in first and "第二十一条" in first
    # my incidents (首接负责): one row each, the badges in its text, a link that opens it
    mine = next(m.value for m in at.markdown if m.value.startswith("**较大事故**"))
    assert ":violet-badge[已报告] :orange-badge[较大]" in mine and "接报 " in mine
    opens = [link.proto for link in at.get("page_link") if link.value == "打开"]
    assert {parse_qs(link.query_string)["id"][0] for link in opens} == {str(major), str(larger)}
    at.session_state["desk_table"] = True            # as a click that opens the list
    at.run()
    table = at.dataframe[0].value
    assert list(table["事件"])[:2] == ["重大事故", "重大事故"]
    assert list(table["状态"])[:2] == ["即将到期", "即将到期"]
    assert list(table["剩余时间"])[0].startswith("剩余 3分") or list(table["剩余时间"])[0].startswith("剩余 4分")
    rest = list(table["应于"])[2:]
    assert rest == sorted(rest)

    # time passes: the 10-minute clock turns red and stays first (the fragment's next tick)
    clock.set_source(lambda: datetime.now(timezone.utc) + timedelta(minutes=5))
    try:
        at.run()
        assert [m.value for m in at.metric][:2] == ["2", "0"]
        table = at.dataframe[0].value
        assert list(table["状态"])[:2] == ["已超时", "已超时"]
        assert list(table["剩余时间"])[0].startswith("已超时")
    finally:
        clock.set_source(None)

    # one click from the clock to the form that satisfies it: the link's page and parameters
    link = links[0].proto
    assert link.page == "incidents"
    at.query_params.update({k: v[0] for k, v in parse_qs(link.query_string).items()})
    at.switch_page("pages/incidents.py").run()
    assert at.title[0].value == "突发事件"
    assert at.query_params["id"] == str(major) and "action" not in at.query_params  # used once
    assert at.session_state["incident_tab"] == "电话报告"
    # only the open tab is built: the phone-report form, for the clocks still open
    assert not any(b.label.startswith("保存首报") for b in at.button)
    assert set(by_label(at.multiselect, "电话报告对象").value) == set(DISTRICT)
    by_label(at.text_area, "电话报告内容").input("已电话报告区总值班室、区应急管理局")
    submit(at, "登记电话报告").click().run()
    assert not at.error, errors(at)
    assert any(s.value.startswith("电话报告已报送；满足时限：区政府办公室总值班室（电话）")
               for s in at.success)
    assert at.session_state["incident_tab"] == "电话报告"   # the rerun stays on the tab
    assert any(m.label == "电话报告对象" for m in at.multiselect)


def test_desk_shows_handovers_to_accept(street):
    iid = _receive(street.officer, 5)
    inc.request_transfer(street.officer, iid, _version(iid), street.leader.user_id, "交班，请继续跟进")
    at = signed_in("lizhuren")
    assert any("待我接受的交接" in s.value for s in at.subheader)
    next(b for b in at.button if b.label == "接受交接").click().run()
    assert not at.error, errors(at)
    assert inc.incident_detail(street.leader, iid).incident.owner_user_id == street.leader.user_id


# ---------------------------------------------------------------- reports and approvals

def test_the_officer_drafts_and_submits_and_the_leader_signs_off(street):
    iid = _receive(street.officer, 5)
    at = signed_in("wangwu")
    at.switch_page("pages/incidents.py")
    at.query_params["id"] = str(iid)
    at.run()
    assert at.title[0].value == "突发事件"
    draft = next(b for b in at.button if b.label == "保存首报草稿")
    # the template holds time, place, source and situation; fill the rest but the casualties
    for code, text in ELEMENTS.items():
        if code in ("time", "place", "source", "situation", "consequences"):
            continue
        widget = next(w for w in [*at.text_area, *at.text_input] if (w.key or "").endswith(f"_new_initial_{code}"))
        widget.input(text)
    draft.click().run()
    assert not at.error, errors(at)
    assert any("缺少：已造成的后果" in w.value for w in at.warning)   # the completeness check
    report = inc.incident_detail(street.officer, iid).reports[0]
    assert (report.title, report.status, report.missing_elements) == ("首报", "draft", ["已造成的后果"])

    # 较大: no urgency mark → an initial report with gaps may not go; the message names them
    submit(at, "提交签发").click().run()
    assert "首报要素不全：缺少已造成的后果" in errors(at)
    injuries = next(w for w in at.number_input if w.label == "受伤人数")
    injuries.set_value(2)
    for label in ("死亡人数", "失踪人数"):
        next(w for w in at.number_input if w.label == label).set_value(0)
    submit(at, "提交签发").click().run()
    assert not at.error, errors(at)
    assert inc.report_detail(street.officer, report.id).status == "submitted"

    leader = signed_in("lizhuren", "pages/approvals.py")
    assert leader.title[0].value == "审批"
    assert leader.subheader[0].value == "待签发报告（1）"
    assert any("某社区液化气爆炸事故" in m.value and "首报" in m.value for m in leader.markdown)
    next(b for b in leader.button if b.label == "签发").click().run()
    assert not leader.error, errors(leader)
    assert any("已签发" in s.value for s in leader.success)
    assert leader.subheader[0].value == "待签发报告（0）"
    signed = inc.report_detail(street.officer, report.id)
    assert (signed.status, signed.signed_off_by_name) == ("approved", "李主任")

    at.run()   # the officer's page notices the change made meanwhile
    assert any("已有新的办理记录" in i.value for i in at.info)
    next(b for b in at.button if b.label == "刷新").click().run()
    submit(at, "确认报送").click().run()
    assert not at.error, errors(at)
    assert any(s.value.startswith("首报已报送；满足时限") for s in at.success)
    assert inc.incident_detail(street.officer, iid).incident.state == "reported"

    at.session_state["incident_tab"] = "时间线"   # as a click on the tab
    at.run()
    kinds = list(at.dataframe[-1].value["事项"])
    assert kinds == ["接报登记", "起草报告", "提交签发", "领导签发", "报送报告"]
    next(b for b in at.button if b.label == "返回事件列表").click().run()
    assert not at.exception and "id" not in at.query_params
    assert list(at.dataframe[0].value["事件"]) == ["某社区液化气爆炸事故"]


def test_a_late_report_cannot_be_sent_without_the_reason(street):
    """第二十一条: written to the district within 1 hour of occurrence; 70 minutes on, the send
    form warns, refuses without a reason, and keeps the reason given."""
    iid = _receive(street.officer, 70)
    rid = inc.draft_report(street.officer, iid, _version(iid), "initial", inc.ReportContent(
        elements=dict(ELEMENTS), deaths=0, injuries=2, missing=0, recipients=DISTRICT + LEADERS))
    inc.submit_report(street.officer, rid, inc.report_detail(street.officer, rid).version)
    inc.sign_off_report(street.leader, rid, inc.report_detail(street.officer, rid).version)
    at = signed_in("wangwu", "pages/incidents.py")
    at.query_params["id"] = str(iid)
    at.run()
    assert any("已超过报告时限：区政府办公室总值班室（书面）" in w.value for w in at.warning)
    submit(at, "确认报送").click().run()
    assert "请填写迟报原因（说明原因，第二十一条）" in errors(at)
    assert inc.report_detail(street.officer, rid).status == "approved"
    by_label(at.text_area, "迟报原因").input("伤亡情况核实耗时，先行电话报告")
    submit(at, "确认报送").click().run()
    assert not at.error, errors(at)
    assert any("超时报送（已记录原因）" in s.value for s in at.success)
    sent = inc.report_detail(street.officer, rid)
    assert (sent.status, sent.delay_reason) == ("sent", "伤亡情况核实耗时，先行电话报告")


def test_the_leader_returns_a_report_with_a_comment(street):
    iid = _receive(street.officer, 5)
    rid = inc.draft_report(street.officer, iid, _version(iid), "initial", inc.ReportContent(
        elements=dict(ELEMENTS), deaths=0, injuries=2, missing=0, recipients=DISTRICT + LEADERS))
    inc.submit_report(street.officer, rid, inc.report_detail(street.officer, rid).version)
    at = signed_in("lizhuren", "pages/approvals.py")
    next(b for b in at.button if b.label == "退回修改").click().run()
    assert "退回意见：请写明需要修改的内容" in errors(at)
    next(w for w in at.text_input if w.label == "审批意见").input("请补充伤员去向")
    next(b for b in at.button if b.label == "退回修改").click().run()
    assert not at.error, errors(at)
    row = inc.report_detail(street.officer, rid)
    assert (row.status, row.return_comment) == ("returned", "请补充伤员去向")


def test_closure_is_approved_from_the_queue(street):
    iid = _receive(street.officer, 5)
    body = inc.ReportContent(elements=dict(ELEMENTS), deaths=0, injuries=2, missing=0,
                             recipients=DISTRICT + LEADERS)
    for kind, extra in (("initial", {}), ("final", {"changes_since_last": "处置结束"})):
        rid = inc.draft_report(street.officer, iid, _version(iid), kind,
                               inc.ReportContent(**{**body.__dict__, **extra}))
        inc.submit_report(street.officer, rid, inc.report_detail(street.officer, rid).version)
        inc.sign_off_report(street.leader, rid, inc.report_detail(street.officer, rid).version)
        inc.mark_sent(street.officer, rid, inc.report_detail(street.officer, rid).version, "written")
    inc.request_closure(street.officer, iid, _version(iid), "处置完毕")
    at = signed_in("lizhuren", "pages/approvals.py")
    assert at.subheader[1].value == "待批准关闭（1）"
    next(b for b in at.button if b.label == "批准关闭").click().run()
    assert not at.error, errors(at)
    assert inc.incident_detail(street.officer, iid).incident.state == "closed"


# ---------------------------------------------------------------- verification and the table

def test_a_verification_request_is_logged_and_answered(street):
    at = signed_in("wangwu", "pages/verification.py")
    k = "verification_new_0"
    at.text_area(key=f"{k}_content").input("网传某小区停水，请核实")
    submit(at, "登记核报").click().run()
    assert not at.error, errors(at)
    [v] = inc.list_verification_requests(street.officer)
    assert v.content == "网传某小区停水，请核实"
    at.text_area(key=f"verification_{v.id}_v{v.version}_answer_text").input("经核实，系管网检修，已恢复")
    submit(at, "提交反馈").click().run()
    assert not at.error, errors(at)
    assert inc.list_verification_requests(street.officer) == []


def test_the_office_tightens_the_deadline_table_but_cannot_loosen_it(street):
    at = signed_in("zhouba", "pages/deadline_table.py")
    assert at.title[0].value == "报告时限设置"
    field = next(w for w in at.number_input if w.label.startswith("重大、特别重大事件电话报告时限"))
    field.set_value(15)
    submit(at, "保存时限表").click().run()
    assert "不得超过规定的 10 分钟" in errors(at) and "第二十一条" in errors(at)
    field = next(w for w in at.number_input if w.label.startswith("重大、特别重大事件电话报告时限"))
    field.set_value(5)
    submit(at, "保存时限表").click().run()
    assert not at.error, errors(at)
    assert inc.deadline_table(street.office).values["major_phone_minutes"] == 5
    assert list(at.dataframe[0].value["现行（分钟）"])[1] == 5
