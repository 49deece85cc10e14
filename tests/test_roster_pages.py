"""The roster and shift pages as a user meets them (AppTest through app.py), on a committed
database of their own (`fresh_db`) with the clock frozen on 1 July 2026, 10:00 Beijing time:
the roster page auto-schedules a month with no violations and refuses a temporary worker
(第九条); a late check-in is flagged (第十四条); a wrong password does not sign a handover."""
from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from duty_support import PASSWORD, make_actor, make_street
from services import calendar, rosters, shifts
from services.permissions import SYSTEM_ACTOR


@pytest.fixture
def duty(fresh_db, frozen_clock, tmp_path, monkeypatch, apptest_v2):
    monkeypatch.setenv("DUTYDESK_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(__file__.rsplit("/tests/", 1)[0])
    calendar.seed_holidays(SYSTEM_ACTOR, [2026])
    street = make_street()
    admin = make_actor("office", {"office_admin"})
    return SimpleNamespace(street=street, admin=admin, clock=frozen_clock)


def signed_in(username: str, page: str) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=60)
    at.run()
    next(w for w in at.text_input if w.label == "用户名").input(username)
    next(w for w in at.text_input if w.label == "密码").input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def text_of(elements) -> str:
    return "\n".join(e.value for e in elements)


def test_roster_page_auto_schedules_a_month_without_violations(duty):
    at = signed_in("office", "pages/roster.py")
    assert at.title[0].value == "排班"
    assert "本月尚未编排" in text_of(at.info)
    button(at, "自动排班").click().run()
    assert not at.exception and not at.error, text_of(at.error)
    assert "符合值班规定" in text_of(at.success)
    assert "符合值班规定，0处问题" in text_of(at.success)
    view = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    assert view.ok and len(view.shifts) == 31 and all(r.officers for r in view.shifts)


def test_assigning_a_temporary_worker_is_refused_citing_article_9(duty):
    rosters.auto_schedule_month(duty.admin, duty.street.unit_id, 2026, 7, seed=1)
    view = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    row = view.shifts[10]
    at = signed_in("office", "pages/roster.py")
    assert "符合值班规定，0处问题" in text_of(at.success)
    next(b for b in at.button if b.key == f"roster_pick_{row.id}").click().run()   # 调整 in the grid
    assert at.selectbox(key="roster_shift").value == row.id
    k = f"shift_{row.id}_v{row.version}"
    officers = at.multiselect(key=f"{k}_officers")
    assert "临时工（临时人员）" in officers.options
    officers.set_value([duty.street.temp])
    button(at, "保存班次").click().run()
    assert not at.exception
    assert "临时工为临时人员，不得安排值班（第九条）" in text_of(at.error)
    after = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    assert next(r for r in after.shifts if r.id == row.id).officers == row.officers
    assert after.ok


def test_publishing_with_violations_is_refused_with_the_list(duty):
    rosters.create_month(duty.admin, duty.street.unit_id, 2026, 7)
    at = signed_in("office", "pages/roster.py")
    assert "共" in text_of(at.error) and "不符合值班规定" in text_of(at.error)
    button(at, "发布").click().run()
    refusal = at.error[0].value
    assert "不能发布" in refusal and "未安排值班员（第九条）" in refusal
    assert rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7).status == "draft"


@pytest.fixture
def published(duty):
    """July published; A (the shift containing 1 July 10:00) and B (the next one) with
    accounts for their first duty officers."""
    rosters.auto_schedule_month(duty.admin, duty.street.unit_id, 2026, 7, seed=1)
    view = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    rosters.publish(duty.admin, view.roster_id, view.roster_version)
    a, b = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7).shifts[:2]
    duty.a, duty.b = a, b
    duty.out = make_actor("out", {"duty_officer"}, duty.street.unit_id, a.officers[0].id)
    duty.inc = make_actor("inc", {"duty_officer"}, duty.street.unit_id, b.officers[0].id)
    return duty


def test_a_late_check_in_is_flagged_article_14(published):
    t = published
    assert t.clock.current > t.a.starts_at   # 10:00, the shift began at 08:30
    at = signed_in("out", "pages/shift.py")
    assert at.title[0].value == "当班"
    button(at, "到岗签到").click().run()
    assert not at.exception and not at.error
    assert "迟到：未在班次开始前10分钟到岗（第十四条）" in text_of(at.warning)
    shown = "\n".join(m.value for m in at.markdown)
    assert "迟到" in shown and "第十四条" in shown
    brief = shifts.shift_brief(t.admin, t.a.id)
    assert brief.state == "on_duty" and [c.late for c in brief.check_ins] == [True]


def _confirmed_handover(t):
    shifts.check_in(t.out, t.a.id)
    draft = shifts.start_handover(t.out, t.a.id)
    checks = [shifts.EquipmentCheck(i, True) for i in shifts.equipment_items()]
    version = shifts.save_handover(t.out, draft.id, draft.version, "本班平稳。", checks)
    return shifts.confirm_outgoing(t.out, draft.id, version)


def test_handover_signing_with_a_wrong_password_shows_the_error(published):
    t = published
    view = _confirmed_handover(t)
    at = signed_in("out", "pages/shift.py")
    k = f"sign_{view.id}_v{view.version}"
    assert at.selectbox(key=f"{k}_signer").value == t.inc.user_id
    at.text_input(key=f"{k}_password").input("not-the-password")
    button(at, "接班签字确认").click().run()
    assert not at.exception
    assert "接班人员密码不正确，签字未完成（第十四条）" in text_of(at.error)
    assert shifts.handover_view(t.admin, view.id).state == "draft"

    at.text_input(key=f"{k}_password").input(PASSWORD)
    button(at, "接班签字确认").click().run()
    assert not at.exception and not at.error, text_of(at.error)
    assert "交接完成" in text_of(at.success)
    assert shifts.handover_view(t.admin, view.id).signed


def test_the_incoming_officer_signs_on_their_own_login_and_follows_up(published):
    from services import open_items

    t = published
    open_items.register("page_test", lambda s, unit_id, now: [
        open_items.OpenItem("page_test", "1", "村道塌方待处置", unit_id)], label="测试事项")
    try:
        view = _confirmed_handover(t)
        at = signed_in("inc", "pages/shift.py")
        assert "村道塌方待处置" in str(at.dataframe[-1].value["事项"].tolist())
        at.text_input(key=f"sign_{view.id}_v{view.version}_password").input(PASSWORD)
        button(at, "接班签字确认").click().run()
        assert not at.exception and not at.error, text_of(at.error)
        shown = "\n".join(m.value for m in at.markdown)
        assert "已交接，待接班人员跟踪办理（第十四条）" in shown and "责任人：接班人员" in shown
        button(at, "已跟踪办理").click().run()
        assert "已交接，接班人员已跟踪办理（第十四条）" in text_of(at.success)
    finally:
        open_items.unregister("page_test")


def test_duty_board_marks_units_without_cover(published):
    from duty_support import make_unit

    make_unit("无人村")
    at = signed_in("out", "pages/duty_board.py")
    frame = at.dataframe[0].value
    assert set(frame["单位"]) == {"无人村", "柏泉村"}
    covered = frame[frame["单位"] == "柏泉村"].iloc[0]
    assert covered["状态"] == "待值班" and covered["值班电话"] == "027-83881234"
    assert "1个单位当前无人值班：无人村" in text_of(at.error)
    # The unit without cover red across its row; the covered one's alert (not yet checked
    # in) amber, the rest of its row plain.
    css = at.dataframe[0].proto.arrow_data.styler.styles
    red, covered = list(frame["单位"]).index("无人村"), list(frame["单位"]).index("柏泉村")
    red_rule = next(line for line in css.splitlines() if "9F1C14" in line)
    amber_rule = next(line for line in css.splitlines() if "7A4A00" in line)
    assert all(f"_row{red}_col{c}" in red_rule for c in range(7))
    assert f"_row{covered}_col6 " in amber_rule + " " and f"_row{covered}_col0" not in css


def test_duty_board_page_sends_what_the_plain_pandas_rendering_of_its_rows_sends(published):
    """Issue 7: the board's frame (shift times formatted once per distinct shift, styles
    split once per distinct rule) is what the rows give rendered the plain way: the same
    cells, the same red and amber rules, the same display values."""
    import pandas as pd
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    from duty_support import make_unit
    from services import clock

    make_unit("无人村", duty_phone=None)
    make_unit("空白村")
    at = signed_in("out", "pages/duty_board.py")
    assert not at.exception, [e.value for e in at.exception]
    rows = shifts.duty_board(make_actor("board_reader", {"office_admin"})).rows
    want = pd.DataFrame([{
        "单位": r.unit_name, "值班电话": r.duty_phone or "未登记",
        "当前班次": f"{clock.fmt(r.starts_at, '%m-%d %H:%M')}–{clock.fmt(r.ends_at, '%m-%d %H:%M')}"
                    if r.starts_at else "—",
        "状态": r.state_label,
        "值班员": "、".join(o.name + ("（已签到）" if o.id in r.checked_in else "") for o in r.officers) or "—",
        "带班领导": r.leader.name if r.leader else "—", "提示": "；".join(r.alerts)} for r in rows])
    red = "background-color: #FBE3E1; color: #9F1C14; font-weight: 600"
    amber = "background-color: #FFF1D2; color: #7A4A00"
    styles = pd.DataFrame([[red] * 7 if not r.covered else [""] * 6 + [amber if r.alerts else ""]
                           for r in rows], index=want.index, columns=want.columns)
    sent = at.dataframe[0].proto.arrow_data
    plain = want.style.apply(lambda _f: styles, axis=None)
    plain.set_uuid(sent.styler.uuid)
    expected = ArrowData()
    marshall_styler(expected, plain, "default")
    assert at.dataframe[0].value.to_dict("records") == want.to_dict("records")
    assert sent.styler.styles == expected.styler.styles
    assert sent.styler.display_values == expected.styler.display_values
    assert sum(not r.covered for r in rows) == 2 and "9F1C14" in sent.styler.styles


@pytest.mark.parametrize("page", ["roster", "swaps", "calendar_admin", "shift", "duty_board"])
def test_pages_open_for_each_duty_role(published, page):
    leader = make_actor("leader", {"shift_leader"})
    clerk = make_actor("clerk", {"unit_duty_officer"}, published.street.unit_id)
    for username in ("office", "out", "leader", "clerk"):
        if page == "calendar_admin" and username != "office":
            continue
        if page == "shift" and username == "clerk":
            continue
        at = signed_in(username, f"pages/{page}.py")
        assert not at.exception and not at.error, (username, text_of(at.error))
    assert leader and clerk


def test_calendar_page_warns_of_an_unpublished_year_and_adds_a_flood_season(duty):
    at = signed_in("office", "pages/calendar_admin.py")
    assert "2026年节假日安排尚未公布" not in text_of(at.warning)
    at.selectbox(key="holiday_year").set_value(2027).run()
    assert "2027年节假日安排尚未公布，请在节假日表中维护" in text_of(at.warning)

    k = "period_new_0"
    at.text_input(key=f"{k}_name").input("2026年防汛期")
    at.date_input(key=f"{k}_first").set_value(date(2026, 7, 1))
    at.date_input(key=f"{k}_last").set_value(date(2026, 7, 31))
    button(at, "新增特殊时期").click().run()
    assert not at.exception and not at.error, text_of(at.error)
    assert "已新增防汛期「2026年防汛期」" in text_of(at.success)
    [period] = calendar.list_special_periods(duty.admin)
    assert (period.kind, period.all_units, period.double_staffing, period.leaders_on_duty) == (
        "flood_season", True, True, False)
    assert calendar.whole_days(date(2026, 7, 1), date(2026, 7, 31)) == (period.starts_at, period.ends_at)


def test_swap_request_accept_and_approve_through_the_page(published):
    t = published
    view = rosters.month_view(t.admin, t.street.unit_id, 2026, 7)
    day = date(2026, 7, 20)
    row = next(r for r in view.shifts if r.day == day)

    def on(d):
        r = next(r for r in view.shifts if r.day == d)
        return {o.id for o in r.officers} | ({r.leader.id} if r.leader else set())

    giver = row.officers[0].id
    busy = on(day - timedelta(1)) | on(day) | on(day + timedelta(1))
    taker = next(p for p in t.street.officers.values() if p not in busy)
    accounts = {t.out.person_id: "out", t.inc.person_id: "inc"}

    def account(pid, name):
        if pid not in accounts:
            accounts[pid] = make_actor(name, {"duty_officer"}, t.street.unit_id, pid).username
        return accounts[pid]

    giver_name, taker_name = account(giver, "giver"), account(taker, "taker")
    make_actor("leader", {"shift_leader"})

    at = signed_in(giver_name, "pages/swaps.py")
    k = "swap_new_0"
    at.selectbox(key=f"{k}_shift").set_value(row.id).run()
    at.selectbox(key=f"{k}_to").set_value(taker).run()
    at.text_input(key=f"{k}_reason").input("外出培训")
    button(at, "提交申请").click().run()
    assert not at.error, text_of(at.error)
    assert "待同事确认" in text_of(at.success)

    at = signed_in(taker_name, "pages/swaps.py")
    button(at, "同意").click().run()
    assert "已同意，待带班领导审批" in text_of(at.success)

    at = signed_in("leader", "pages/swaps.py")
    button(at, "批准").click().run()
    assert not at.error, text_of(at.error)
    assert "已批准，值班表已调整" in text_of(at.success)
    after = rosters.month_view(t.admin, t.street.unit_id, 2026, 7)
    assert taker in {o.id for o in next(r for r in after.shifts if r.id == row.id).officers}


def test_leave_is_registered_and_the_auto_scheduler_respects_it(duty):
    zhang = duty.street.officers["张三"]
    at = signed_in("office", "pages/roster.py")
    k = f"leave_new_{duty.street.unit_id}_2026_7_0"
    at.selectbox(key=f"{k}_person").set_value(zhang)
    at.date_input(key=f"{k}_first").set_value(date(2026, 7, 10))
    at.date_input(key=f"{k}_last").set_value(date(2026, 7, 14))
    at.text_input(key=f"{k}_reason").input("年休假")
    button(at, "登记").click().run()
    assert "已为张三登记5天不可排班" in text_of(at.success)
    button(at, "自动排班").click().run()
    view = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    on_leave = [r for r in view.shifts if date(2026, 7, 9) <= r.day <= date(2026, 7, 14)]
    assert all(zhang not in {o.id for o in r.officers} for r in on_leave) and view.ok


def test_a_published_month_draws_each_day_as_one_block_with_its_shifts(published):
    """The grid of a month nobody edits: each day one markdown element (marks, officers,
    leader, state, violations), not three a shift, with nothing left out."""
    t = published
    view = rosters.month_view(t.admin, t.street.unit_id, 2026, 7)
    at = signed_in("office", "pages/roster.py")
    days = {}
    for m in at.markdown:
        head = m.value.split("\n", 1)[0].split(" ", 1)[0]
        if head.startswith("**") and head.strip("*").isdigit():
            days[int(head.strip("*"))] = m.value
    assert sorted(days) == list(range(1, 32))
    assert ":blue-badge[今天]" in days[1]
    for row in view.shifts:
        block = days[row.day.day]
        assert all(o.name in block for o in row.officers), (row.label, block)
        if row.leader:
            assert f"带班 {row.leader.name}" in block
        if row.state != "scheduled":
            assert row.state_label in block
        if row.violations:
            assert f"{len(row.violations)}处" in block
    assert not any(c.value.startswith("带班") for c in at.caption)


def test_the_swap_history_is_drawn_from_an_arrow_table_with_every_column(published, monkeypatch):
    """申请记录 goes to st.dataframe as an Arrow table (no pandas frame made on the way),
    showing what it showed: kind, state, shift, both people, reason, times."""
    import streamlit.dataframe_util as dataframe_util

    t = published
    view = rosters.month_view(t.admin, t.street.unit_id, 2026, 7)
    row = next(r for r in view.shifts if r.day == date(2026, 7, 20))
    giver = row.officers[0].id
    taker = next(p for p in t.street.officers.values() if p != giver)
    giver_actor = make_actor("giver", {"duty_officer"}, t.street.unit_id, giver)
    rosters.request_swap(giver_actor, row.id, giver, taker, "substitution", reason="外出培训")
    make_actor("leader", {"shift_leader"})

    def no_pandas(*_args, **_kwargs):
        raise AssertionError("the history went through pandas")

    monkeypatch.setattr(dataframe_util, "convert_anything_to_pandas_df", no_pandas)
    at = signed_in("leader", "pages/swaps.py")
    assert not at.exception, [e.value for e in at.exception]
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["类型", "状态", "班次", "申请人", "接替人", "对方班次", "事由",
                                   "申请时间", "批准时间", "意见"]
    first = frame.iloc[0]
    names = {p: n for n, p in t.street.officers.items()}
    assert (first["类型"], first["状态"], first["班次"], first["申请人"], first["接替人"], first["事由"]) == (
        "替班", "待同事确认", row.label, names[giver], names[taker], "外出培训")


def test_a_draft_day_and_night_month_keeps_a_pick_button_for_each_shift(duty):
    """Editing a day-and-night month: each shift's name is the button that picks it, the
    text between the buttons drawn as one block (the day's marks, then each shift's
    officers and notes)."""
    rosters.create_month(duty.admin, duty.street.unit_id, 2026, 7, "day_night")
    view = rosters.month_view(duty.admin, duty.street.unit_id, 2026, 7)
    at = signed_in("office", "pages/roster.py")
    picks = [b for b in at.button if (b.key or "").startswith("roster_pick_")]
    assert len(picks) == len(view.shifts) == 62
    assert {b.label for b in picks} == {"白班", "夜班"}
    assert sum(m.value.startswith(":red[未排人员]") for m in at.markdown) == 62
    night = view.shifts[1]
    next(b for b in picks if b.key == f"roster_pick_{night.id}").click().run()
    assert at.selectbox(key="roster_shift").value == night.id
