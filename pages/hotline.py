"""市长热线: on statutory holidays the desk signs for hotline items, forwards them to the
person in charge and follows them to done (第八条(六))."""
import streamlit as st

import ui
from services.daily import hotline
from ui import forms
from ui.context import flash
from ui.incidents import fmt, time_field

actor = ui.actor()
st.title("市长热线")
st.caption("法定节假日期间，值班人员在系统内签收市长热线代办事项，并转发通知市长热线负责同志处理（第八条(六)）。")
flash()

holiday = ui.run_action(hotline.today_is_holiday, actor)
if not holiday:
    st.warning("今天不是法定节假日：市长热线代办事项由热线负责同志按工作日流程办理（第八条(六)）。")

k = forms.new_key("hotline")
with st.form(k):
    a, b = st.columns(2)
    item_no = a.text_input("工单编号", key=f"{k}_no")
    deadline = time_field("办理时限", f"{k}_deadline", None, container=b)
    content = st.text_area("事项内容", key=f"{k}_content", height=80)
    save = st.form_submit_button("签收", type="primary")
if save:
    forms.submit(hotline.receive_and_sign, actor, hotline.HotlineInput(item_no, content, deadline),
                 success="已签收，请转发通知热线负责同志", reset="hotline")

shown = ui.run_action(hotline.items_page, actor, st.session_state.get("hotline_page", 1))
rows = shown.rows if shown else []
forms.pager(shown, "hotline_page", "未办结事项第 {first}–{last} 条，共 {total} 条（最新的在前）")
people_for = (ui.run_action(hotline.forward_options, actor, rows) or {}) if rows else {}
for row in rows:
    with st.container(border=True):
        st.markdown(f"**{row.item_no}** · {row.state_label}" + (" · 已超时" if row.overdue else ""))
        st.text(row.content)
        st.caption(f"签收 {fmt(row.signed_at)} {row.signed_by}" + (
            f" · 时限 {fmt(row.deadline)}" if row.deadline else "") + (
            f" · 已通知 {row.forwarded_to}（{fmt(row.notified_at)}）" if row.notified_at else ""))
        if "forward" in row.allowed:
            people = people_for.get(row.id, {})
            who = st.selectbox("热线负责同志", list(people), format_func=people.get, index=None,
                               placeholder="选择人员", key=f"who_{row.id}")
            if st.button("转发通知", key=f"fwd_{row.id}", type="primary"):
                forms.submit(hotline.forward, actor, row.id, row.version, who, success="已转发通知")
        if "finish" in row.allowed:
            with forms.typed(f"done_form_{row.id}"):
                result = st.text_input("办理结果", key=f"res_{row.id}")
                done = st.form_submit_button("办结", key=f"done_{row.id}", type="primary")
            if done:
                forms.submit(hotline.finish, actor, row.id, row.version, result, success="已办结")
