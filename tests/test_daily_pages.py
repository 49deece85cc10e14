"""The daily-record pages through app.py signed in (AppTest), SQLite and PostgreSQL: the calls
page's quick entry (第十一、十二条) and the other three pages render without error."""
from __future__ import annotations

from datetime import timedelta

import pytest

from services import clock
from services.daily import calls
from test_incident_pages import by_label, errors, signed_in, street  # noqa: F401  (fixture)


def test_quick_call_entry_is_owned_by_the_taker(street):
    at = signed_in("wangwu", "pages/calls.py")
    by_label(at.text_area, "来电内容").input("某社区报告巨龙大道积水约30厘米")
    by_label(at.text_input, "来电人").input("张网格员")
    by_label(at.text_input, "来电号码").input("13800000000")
    next(b for b in at.button if b.label == "登记来电").click()
    at.run()
    assert not at.exception and not errors(at)
    rows = calls.open_calls(street.officer)
    assert len(rows) == 1 and rows[0].owner_user_id == street.officer.user_id
    assert rows[0].caller == "张网格员" and rows[0].summary.startswith("某社区报告")
    assert any("张网格员" in e.label for e in at.expander)
    # an empty entry is refused with the article
    next(b for b in at.button if b.label == "登记来电").click()
    at.run()
    assert "第十一条" in errors(at)


@pytest.mark.parametrize("page", ["pages/instructions.py", "pages/hotline.py", "pages/logbook.py"])
def test_the_other_daily_pages_render(street, page):
    at = signed_in("wangwu", page)
    assert not at.exception, [e.value for e in at.exception]


def test_open_calls_are_shown_a_page_at_a_time_newest_first(street):
    for n in range(calls.PER_PAGE + 3):
        calls.log_call(street.officer, calls.CallInput(summary=f"第{n:02d}个来电", caller=f"来电人{n:02d}"))
    at = signed_in("wangwu", "pages/calls.py")
    pager = at.selectbox(key="calls_page")
    assert pager.value == 1 and pager.options == ["第 1 页 / 共 2 页", "第 2 页 / 共 2 页"]
    assert any(f"第 1–{calls.PER_PAGE} 条，共 {calls.PER_PAGE + 3} 条" in c.value for c in at.caption)
    shown = [e.label for e in at.expander]
    assert len(shown) == calls.PER_PAGE and f"来电人{calls.PER_PAGE + 2:02d}" in shown[0]
    pager.set_value(2).run()
    assert not at.exception
    assert [e.label.rsplit(" · ", 1)[1] for e in at.expander] == ["来电人02", "来电人01", "来电人00"]


@pytest.mark.parametrize("page", ["pages/instructions.py", "pages/hotline.py", "pages/logbook.py",
                                  "pages/calls.py"])
def test_the_daily_pages_render_for_the_office_admin(street, page):
    calls.log_call(street.officer, calls.CallInput(summary="巨龙大道积水", caller="张网格员"))
    at = signed_in("zhouba", page)
    assert not at.exception and not errors(at), [e.value for e in at.exception]


def test_a_calls_actions_run_only_while_its_expander_is_open(street):
    first = calls.log_call(street.officer, calls.CallInput(summary="巨龙大道积水", caller="张网格员"))
    second = calls.log_call(street.officer, calls.CallInput(summary="咨询沙袋", caller="李居民"))
    at = signed_in("wangwu", "pages/calls.py")
    assert len(at.expander) == 2
    assert not [w for w in at.text_input if w.key and w.key.startswith("result_")]   # all closed
    at.session_state[f"call_box_{second}"] = True                                # open one
    at.run()
    assert not at.exception
    assert [w.key for w in at.text_input if w.key.startswith("result_")] == [f"result_{second}_v1"]
    assert [w.key for w in at.selectbox if w.key.startswith("to_")] == [f"to_{second}"]
    at.text_input(key=f"result_{second}_v1").input("已告知领取地点")
    at.button(key=f"close_{second}").click().run()
    assert not errors(at) and [r.id for r in calls.open_calls(street.officer)] == [first]


def test_log_book_tabs_run_only_when_chosen(street):
    at = signed_in("zhouba", "pages/logbook.py")
    assert any("没有可查看的班次" in i.value for i in at.info)
    assert not any(w.label == "关键词" for w in at.text_input)        # the search has not run
    at.session_state["logbook_tab"] = "查询"
    at.run()
    assert not at.exception and any(w.label == "关键词" for w in at.text_input)
    assert not any(s.label == "班次" for s in at.selectbox)           # nor the book now
    assert any("没有找到记录" in i.value for i in at.info)


def test_instruction_tabs_run_only_when_chosen(street):
    from services.daily import instructions

    instructions.record_instruction(street.officer, instructions.InstructionInput("王书记", "排查积水点"))
    at = signed_in("wangwu", "pages/instructions.py")
    assert not at.expander                                            # only the form ran
    at.session_state["instructions_tab"] = "传达与督办"
    at.run()
    assert not at.exception and [e.label.split(" · ")[0] for e in at.expander] == ["王书记"]
    at.session_state["instructions_tab"] = "领导看板"
    at.run()
    assert not at.expander and at.dataframe[0].value["领导"].tolist() == ["王书记"]


def test_instruction_fields_are_sent_with_their_buttons_and_kept_after_a_refusal(street):
    """In the browser a click right after typing may be lost to the field's commit-on-blur
    rerun (streamlit/streamlit#8725): each typed field of 传达与督办 is in one form with the
    button that uses it, so the two travel together. The forms are not cleared on submit:
    after a refusal the officer corrects what they typed, not types it again."""
    from services.daily import instructions as ins
    from ui.incidents import local_now

    iid = ins.record_instruction(street.officer, ins.InstructionInput("王书记", "排查积水点"))
    at = signed_in("wangwu", "pages/instructions.py")
    at.session_state["instructions_tab"] = "传达与督办"
    at.run()
    chosen, due, pass_on = (at.multiselect(key=f"targets_{iid}"), at.datetime_input(key=f"due_{iid}"),
                            at.button(key=f"pass_{iid}"))
    assert pass_on.form_id and chosen.form_id == due.form_id == pass_on.form_id

    # a due time typed, no unit chosen: refused, and the time is still there for the retry
    wanted = local_now() + timedelta(hours=5)
    due.set_value(wanted)
    pass_on.click().run()
    assert "传达批示须至少选择一个承办单位或人员" in errors(at)
    assert at.datetime_input(key=f"due_{iid}").value == wanted
    at.multiselect(key=f"targets_{iid}").set_value([street.unit_id])
    at.button(key=f"pass_{iid}").click().run()
    assert not errors(at) and any("已传达至1个单位" in s.value for s in at.success)
    [t] = ins.instruction_detail(street.officer, iid).targets
    assert clock.local(t.feedback_due).replace(tzinfo=None) == wanted

    # the feedback and its button: typed and sent with one click
    note, record = at.text_input(key=f"fb_{t.id}"), at.button(key=f"fbb_{t.id}")
    assert record.form_id and note.form_id == record.form_id != pass_on.form_id
    record.click().run()
    assert "反馈内容：不能为空" in errors(at)
    at.text_input(key=f"fb_{t.id}").input("已排查积水点3处，均已设置警示")
    at.button(key=f"fbb_{t.id}").click().run()
    assert not errors(at) and any("反馈已登记" in s.value for s in at.success)
    assert ins.instruction_detail(street.officer, iid).targets[0].feedback_text == "已排查积水点3处，均已设置警示"

    # all fed back: the reply to the leader, likewise one form with its button
    result, report = at.text_area(key=f"result_{iid}"), at.button(key=f"report_{iid}")
    assert report.form_id and result.form_id == report.form_id
    result.input("各村社区已排查积水点，均已设置警示")
    report.click().run()
    assert not errors(at) and any("已回复领导，批示办结" in s.value for s in at.success)
    done = ins.instruction_detail(street.officer, iid)
    assert (done.state, done.result) == ("closed", "各村社区已排查积水点，均已设置警示")


def _published_month(street) -> None:
    """This month's roster of the street's unit, scheduled and published: a shift on now.
    On a month's first night the shift on now began yesterday, in last month's roster:
    that month is published too."""
    from duty_support import LEADER_NAMES, OFFICER_NAMES, make_person
    from services import calendar, rosters
    from services.permissions import SYSTEM_ACTOR

    today = clock.local(clock.now()).date()
    months = sorted({(d.year, d.month) for d in (today - timedelta(days=1), today)})
    calendar.seed_holidays(SYSTEM_ACTOR, sorted({y for y, _m in months}))
    for name in OFFICER_NAMES:
        make_person(street.unit_id, name)
    for name in LEADER_NAMES:
        make_person(street.unit_id, name, can_lead=True)
    for year, month in months:
        rosters.auto_schedule_month(street.office, street.unit_id, year, month, seed=1)
        view = rosters.month_view(street.office, street.unit_id, year, month)
        rosters.publish(street.office, view.roster_id, view.roster_version)


def test_a_log_book_note_is_emptied_once_recorded(street):
    """记入记录本 records the note and empties the field for the next one (it used to stay
    there, inviting a second entry of the same note); a refused note stays to be corrected."""
    from services.daily import logbook

    _published_month(street)

    at = signed_in("wangwu", "pages/logbook.py")
    shift_id = at.selectbox(key=f"logbook_shift_{street.unit_id}").value
    by_label(at.text_area, "添加记事").input("x" * 5001)
    next(b for b in at.button if b.label == "记入记录本").click().run()
    assert "记事内容" in errors(at)
    assert by_label(at.text_area, "添加记事").value == "x" * 5001     # kept to be corrected
    by_label(at.text_area, "添加记事").input("22时巡查值班室设备正常")
    next(b for b in at.button if b.label == "记入记录本").click().run()
    assert not errors(at) and any("已记入" in s.value for s in at.success)
    assert by_label(at.text_area, "添加记事").value == ""
    assert [e.text for e in logbook.log_book(street.officer, shift_id).entries
            if e.kind == "note"] == ["22时巡查值班室设备正常"]


def test_the_log_book_table_shows_each_line(street):
    """The book's table: number, time, category, content, handling and recorder of each
    line, as the service compiled them (handed to st.dataframe as Arrow columns)."""
    from services.daily import logbook

    _published_month(street)
    calls.log_call(street.officer, calls.CallInput(summary="某社区报告路面积水", caller="张某"))

    at = signed_in("wangwu", "pages/logbook.py")
    shift_id = at.selectbox(key=f"logbook_shift_{street.unit_id}").value
    logbook.add_entry(street.officer, shift_id, "22时巡查值班室设备正常")
    at.run()
    assert not at.exception and not errors(at)
    frame = at.dataframe[0].value
    assert list(frame.columns) == ["序号", "时间", "类别", "内容", "处理情况", "记录人"]
    entries = logbook.log_book(street.officer, shift_id).entries
    assert [tuple(r) for r in frame.itertuples(index=False)] == [
        (e.number, clock.fmt(e.at, "%m-%d %H:%M"), e.kind_label, e.text, e.handling, e.author)
        for e in entries]
    assert {"来电", "记事"} <= set(frame["类别"])
