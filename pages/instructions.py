"""领导批示: recorded verbatim, passed on with feedback due dates, fed back, reported back to
the leader (第五条、第八条(三)), and the leaders' board (件件有落实、事事有回音)."""
from datetime import timedelta

import pandas as pd
import streamlit as st

import ui
from services.daily import instructions as ins
from ui import forms
from ui.context import flash
from ui.incidents import fmt, local_now, time_field

actor = ui.actor()
st.title("领导批示")
st.caption("迅速传达领导指示批示，督促并及时反馈落实情况（第五条、第八条(三)）。")
flash()

# Only the chosen tab runs: the open list, the feedback owed and the board are read when
# their tab is opened, not on every run of the form.
record_tab, open_tab, feedback_tab, board_tab = st.tabs(
    ["登记批示", "传达与督办", "本单位反馈", "领导看板"], key="instructions_tab", on_change="rerun")

with record_tab:
    if record_tab.open:
        k = forms.new_key("instruction")
        with st.form(k):
            a, b = st.columns(2)
            leader = a.text_input("批示领导", key=f"{k}_leader")
            channels = list(ins.CHANNEL_LABELS)
            channel = b.selectbox("批示方式", channels, format_func=ins.CHANNEL_LABELS.get, key=f"{k}_channel")
            subject = st.text_input("事由", key=f"{k}_subject")
            text = st.text_area("批示原文", key=f"{k}_text", height=100, placeholder="照录原文")
            save = st.form_submit_button("登记批示", type="primary")
        if save:
            forms.submit(ins.record_instruction, actor, ins.InstructionInput(
                leader_name=leader, text=text, channel=channel, subject=subject),
                success="批示已登记，请传达", reset="instruction")

with open_tab:
    if open_tab.open:
        shown = ui.run_action(ins.open_instructions_page, actor,
                              st.session_state.get("instructions_page", 1))
        rows = shown.rows if shown else []
        if not rows:
            st.info("当前没有未办结的批示。")
        else:
            forms.pager(shown, "instructions_page",
                        "未办结批示第 {first}–{last} 条，共 {total} 条（最新的在前）")
        passing = {r.id for r in rows if "pass_on" in r.allowed or r.state in ("passed_on", "in_progress")}
        unit_names = (ui.run_action(ins.unit_choices, actor) or {}) if passing else {}
        for row in rows:
            with st.expander(f"{row.leader_name} · {fmt(row.given_at)} · {row.state_label} · "
                             f"反馈 {row.fed_back_count}/{len(row.targets)}", expanded=True):
                st.text(row.text)
                for t in row.targets:
                    st.caption(f"{t.receiver}：{t.status_label}，时限 {fmt(t.feedback_due)}"
                               + (f"；反馈：{t.feedback_text}" if t.feedback_text else ""))
                if row.id in passing:
                    with forms.typed(f"pass_form_{row.id}"):
                        chosen = st.multiselect("传达至单位", list(unit_names),
                                                format_func=unit_names.get, key=f"targets_{row.id}")
                        due = time_field("反馈时限", f"due_{row.id}", local_now() + timedelta(hours=2))
                        go = st.form_submit_button("传达", key=f"pass_{row.id}", type="primary")
                    if go:
                        forms.submit(ins.pass_on, actor, row.id, row.version,
                                     [ins.TargetInput(due, unit_id=u) for u in chosen],
                                     success=f"已传达至{len(chosen)}个单位")
                for t in row.targets:
                    if t.fed_back_at is None:
                        with forms.typed(f"fb_form_{t.id}"):
                            note = st.text_input(f"代{t.receiver}登记反馈", key=f"fb_{t.id}")
                            record = st.form_submit_button(f"登记{t.receiver}的反馈",
                                                           key=f"fbb_{t.id}")
                        if record:
                            forms.submit(ins.feed_back, actor, t.id, t.version, note, success="反馈已登记")
                if row.state == "fed_back":
                    with forms.typed(f"report_form_{row.id}"):
                        result = st.text_area("向领导回复的落实情况", key=f"result_{row.id}")
                        report = st.form_submit_button("回复领导并办结", key=f"report_{row.id}",
                                                       type="primary")
                    if report:
                        forms.submit(ins.report_to_leader, actor, row.id, row.version, result,
                                     success="已回复领导，批示办结")

with feedback_tab:
    if feedback_tab.open:
        mine = ui.run_action(ins.awaiting_my_feedback, actor) or []
        if not mine:
            st.info("本单位没有待反馈的批示。")
        for t in mine:
            with st.container(border=True):
                st.markdown(f"**{t.receiver}** · 时限 {fmt(t.feedback_due)} · {t.status_label}")
                # The text goes with its click (see the open tab); kept after a refusal.
                with forms.typed(f"mine_form_{t.id}"):
                    text = st.text_area("落实情况", key=f"mine_{t.id}")
                    send = st.form_submit_button("反馈", key=f"mineb_{t.id}", type="primary")
                if send:
                    forms.submit(ins.feed_back, actor, t.id, t.version, text, success="已反馈")

with board_tab:
    if board_tab.open:
        who = st.text_input("领导姓名（留空为全部）", key="board_leader")
        board = ui.run_action(ins.leader_board, actor, who) or []
        if board:
            st.dataframe(pd.DataFrame([{
                "领导": r.leader_name, "批示时间": fmt(r.given_at), "批示": r.text[:60],
                "状态": r.state_label, "落实情况": r.standing,
                "下一反馈时限": fmt(r.next_due) if r.next_due else "", "回复领导": fmt(r.reported_at),
            } for r in board]), hide_index=True)
        else:
            st.info("暂无批示。")
