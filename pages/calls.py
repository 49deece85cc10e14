"""来电登记: quick entry while on the phone (第十一条), open calls with their owner (首接负责,
第十二条) and one click to an incident, a verification request or an instruction."""
import streamlit as st

import ui
from services.daily import calls
from services.incidents import CATEGORY_LABELS, LEVEL_LABELS
from ui import forms
from ui.context import flash
from ui.incidents import fmt

actor = ui.actor()
st.title("来电登记")
st.caption("及时接听、准确详细记录重要来电（第十一条）；谁接听谁负责，跟踪办理直至结束，"
           "由他人接替的须经对方接受（首接负责，第十二条）。")
flash()

k = forms.new_key("call")
with st.form(k):
    summary = st.text_area("来电内容", key=f"{k}_summary", height=90,
                           placeholder="边听边记：事由、地点、诉求")
    a, b, c = st.columns(3)
    caller = a.text_input("来电人", key=f"{k}_caller")
    caller_unit = b.text_input("来电单位", key=f"{k}_caller_unit")
    number = c.text_input("来电号码", key=f"{k}_number")
    a, b = st.columns(2)
    kinds = list(calls.KIND_LABELS)
    kind = a.selectbox("来电类型", kinds, format_func=calls.KIND_LABELS.get, key=f"{k}_kind")
    levels = list(calls.IMPORTANCE_LABELS)
    importance = b.selectbox("重要程度", levels, format_func=calls.IMPORTANCE_LABELS.get,
                             key=f"{k}_importance")
    save = st.form_submit_button("登记来电", type="primary", icon=":material/call:")
if save:
    forms.submit(calls.log_call, actor, calls.CallInput(
        summary=summary, kind=kind, caller=caller, caller_unit=caller_unit, number=number,
        importance=importance), success="来电已登记，由您首接负责（第十二条）", reset="call")

for t in ui.run_action(calls.pending_transfers, actor) or []:
    with st.container(border=True):
        st.markdown(f"**{t.from_name}** 请您接办来电 #{t.call_id}：{t.reason}")
        a, b = st.columns(2)
        if a.button("接受", key=f"accept_{t.id}", type="primary"):
            forms.submit(calls.accept_transfer, actor, t.id, t.version, success="已接办，由您负责跟踪办理")
        if b.button("拒绝", key=f"decline_{t.id}"):
            forms.submit(calls.decline_transfer, actor, t.id, t.version, success="已拒绝")

st.subheader("办理中的来电")
shown = ui.run_action(calls.open_calls_page, actor, st.session_state.get("calls_page", 1))
rows = shown.rows if shown else []
if not rows:
    st.info("当前没有办理中的来电。")
else:
    forms.pager(shown, "calls_page", "第 {first}–{last} 条，共 {total} 条（最新的在前）")
# A call's body and actions are built only while its expander is open (a rerun opens it):
# its title says what the list needs, and a page of calls is one block each.
opened = [row for row in rows if st.session_state.get(f"call_box_{row.id}")]
people_for = (ui.run_action(calls.transfer_options, actor, opened) or {}) if opened else {}
for row in rows:
    title = f"{fmt(row.at)} · {row.kind_label} · {row.importance_label} · {row.caller_text}"
    box = st.expander(title, key=f"call_box_{row.id}", on_change="rerun")
    if not box.open:
        continue
    with box:
        st.text(row.summary)
        st.caption(f"首接负责：{row.owner_name}" + (
            f" · 待 {row.pending_transfer.to_name} 接受交接" if row.pending_transfer else ""))
        links = [f"突发事件 #{row.incident_id}" if row.incident_id else "",
                 f"核报 #{row.verification_request_id}" if row.verification_request_id else "",
                 f"领导批示 #{row.instruction_id}" if row.instruction_id else ""]
        if any(links):
            st.caption("已关联：" + "、".join(x for x in links if x))
        close_tab, incident_tab, other_tab, transfer_tab = st.tabs(
            ["办结", "转为突发事件", "登记为核报/批示", "交接"])
        with close_tab:
            with forms.typed(f"close_form_{row.id}"):
                result = st.text_input("办理结果", key=f"result_{row.id}_v{row.version}")
                close = st.form_submit_button("办结", key=f"close_{row.id}", type="primary")
            if close:
                forms.submit(calls.close_call, actor, row.id, row.version, result, success="来电已办结")
        with incident_tab:
            with forms.typed(f"incident_form_{row.id}"):
                a, b = st.columns(2)
                category = a.selectbox("事件类别", list(CATEGORY_LABELS),
                                       format_func=CATEGORY_LABELS.get, key=f"cat_{row.id}")
                level = b.selectbox("事件等级", list(LEVEL_LABELS), format_func=LEVEL_LABELS.get,
                                    index=list(LEVEL_LABELS).index(None), key=f"lvl_{row.id}")
                place = st.text_input("事发地点", key=f"place_{row.id}")
                to_incident = st.form_submit_button(
                    "转为突发事件", key=f"incident_{row.id}", type="primary",
                    disabled=row.incident_id is not None)
            if to_incident:
                forms.submit(calls.open_incident, actor, row.id, row.version, category, place, "", level,
                             success="已转为突发事件，报告时限已开始计时")
        with other_tab:
            if st.button("登记为核报", key=f"verify_{row.id}", disabled=row.verification_request_id is not None):
                forms.submit(calls.open_verification_request, actor, row.id, row.version,
                             success="已登记为核报（第二十条）")
            with forms.typed(f"instr_form_{row.id}"):
                leader = st.text_input("批示领导", key=f"leader_{row.id}")
                to_instruction = st.form_submit_button("登记为领导批示", key=f"instr_{row.id}",
                                                       disabled=row.instruction_id is not None)
            if to_instruction:
                forms.submit(calls.open_instruction, actor, row.id, row.version, leader,
                             success="已登记为领导批示，请到「领导批示」传达")
        with transfer_tab:
            people = people_for.get(row.id, {})
            with forms.typed(f"transfer_form_{row.id}"):
                to = st.selectbox("交给", list(people), format_func=people.get, index=None,
                                  placeholder="选择值班人员", key=f"to_{row.id}")
                reason = st.text_input("交接说明", key=f"reason_{row.id}")
                hand = st.form_submit_button("发起交接", key=f"transfer_{row.id}")
            if hand:
                forms.submit(calls.request_transfer, actor, row.id, row.version, to, reason,
                             success="已发起交接，对方接受后转由其负责")
