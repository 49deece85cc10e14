"""培训: pre-job (岗前) and yearly (年度) training sessions and who attended (第十六条); people
without pre-job training or whose last training is older than 12 months are flagged, and
the roster rules keep them off duty."""
import streamlit as st

import ui
from services import oversight
from services.oversight import TRAINING_KIND_LABELS
from services.oversight.common import today
from services.permissions import can
from ui import forms, tables
from ui.context import flash
from ui.incidents import act, md

actor = ui.actor()
st.title("培训")
st.caption("值班人员每年至少参加一次培训；新同志参加值班前须进行岗前培训（第十六条）。"
           "登记参训后，人员的培训日期随之更新，排班规则据此核验。")
flash()

flags = ui.run_action(oversight.training_flags, actor)
if flags is None:
    st.stop()
st.subheader(f"需培训人员（{len(flags)}）")
if flags:
    table = [f.as_dict() for f in flags]
    st.dataframe(table, hide_index=True)
    st.download_button("导出需培训人员（.xlsx）", lambda rows=table: oversight.to_xlsx(rows, "需培训人员"),
                       file_name="需培训人员.xlsx", icon=":material/download:", key="flags_xlsx")
else:
    st.success("所有正式在编人员均已完成岗前培训，且近 12 个月内参加过培训。")

st.subheader("新建培训")
k = forms.new_key("training_new")
with st.form(k):
    left, mid, right = st.columns(3)
    kind = left.selectbox("培训类型", list(TRAINING_KIND_LABELS), format_func=TRAINING_KIND_LABELS.get,
                          key=f"{k}_kind")
    held_on = mid.date_input("培训日期", value=today(), key=f"{k}_held_on")
    trainer = right.text_input("授课人", key=f"{k}_trainer")
    title = st.text_input("培训名称", key=f"{k}_title")
    save = st.form_submit_button("新建培训", type="primary", icon=":material/add:")
if save:
    act(oversight.create_session, actor, kind, held_on, title, trainer, success="培训已新建",
        reset="training_new")

st.subheader("培训记录")
shown = ui.run_action(oversight.session_page, actor, st.session_state.get("training_page", 1))
if shown is None:
    st.stop()
if not shown.total:
    st.info("暂无培训记录。")
else:
    forms.pager(shown, "training_page", "培训第 {first}–{last} 次，共 {total} 次（最新的在前）")
    # One attendance form for the sessions of this page, built only while its panel is open:
    # its list offers every active person of the street (2,000 on a large one).
    box = st.expander("登记参训人员", key="attend_box", on_change="rerun",
                      icon=":material/how_to_reg:") if can(actor, "training.write") else None
    names = ui.run_action(oversight.attendance_choices, actor) if box and box.open else None
    if names is not None:
        sessions = {x.id: x for x in shown.rows}
        with box:
            chosen_session = st.selectbox(
                "登记参训的培训", list(sessions), key="attend_session",
                format_func=lambda sid: f"{sessions[sid].held_on} {sessions[sid].kind_label} · {sessions[sid].title}")
            x = sessions[chosen_session]
            k = f"attend_{x.id}_{len(x.attendees)}"
            taken = {a.person_id for a in x.attendees}
            with st.form(k):
                chosen = st.multiselect("参训人员", [p for p in names if p not in taken],
                                        format_func=names.get, key=f"{k}_people")
                passed = st.checkbox("考核合格", value=True, key=f"{k}_passed")
                go = st.form_submit_button("登记参训", icon=":material/how_to_reg:")
            if go:
                act(oversight.record_attendance, actor, x.id, chosen, passed,
                    success=lambda n: f"已登记{n}人参训")
for x in shown.rows:
    with st.container(border=True):
        st.markdown(f"**{md(x.title)}** · {x.kind_label} · {x.held_on}"
                    + (f" · 授课人 {md(x.trainer)}" if x.trainer else ""))
        if not x.attendees:
            st.caption("尚未登记参训人员。")
            continue
        # Who attended is drawn only while its panel is open (a table of up to a hundred
        # people per session, five sessions a page); the label keeps the counts.
        passed = sum(1 for a in x.attendees if a.passed)
        failed = len(x.attendees) - passed
        box = st.expander(f"参训人员 {len(x.attendees)} 人：合格 {passed} 人"
                          + (f"，不合格 {failed} 人" if failed else ""),
                          key=f"training_attendees_{x.id}", on_change="rerun",
                          icon=":material/groups:")
        if box.open:
            with box:
                st.dataframe(tables.columns({
                    "姓名": [a.name for a in x.attendees], "单位": [a.unit_name for a in x.attendees],
                    "结果": ["合格" if a.passed else "不合格" for a in x.attendees]}), hide_index=True)
