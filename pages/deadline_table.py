"""报告时限设置: the office's table of 第二十一条 — it may be tightened, never loosened."""
from dataclasses import dataclass

import streamlit as st

import ui
from services import incidents
from services.permissions import can
from ui import forms
from ui.context import flash
from ui.incidents import act, fmt


@dataclass(frozen=True)
class LoadedTable:
    id: int
    version: int
    view: incidents.DeadlineTableView


actor = ui.actor()
st.title("报告时限设置")
st.caption("报告时限按《政务值班工作规范》第二十一条执行。党政办可以收紧时限（分钟数只能减少，不得超过规定），"
           "修改只影响此后计算的时限，已开始计时的不变；每次修改记入审计日志。")
flash()

view = ui.run_action(incidents.deadline_table, actor)
if view is None:
    st.stop()
snap = forms.loaded("deadline_table", LoadedTable(1, view.version, view))
k = forms.key("deadline_table", snap)
shown = snap.view
if snap.version != view.version:
    st.info("时限表已被他人修改，下方仍是打开时的内容。")
    if st.button("刷新", key="deadline_table_refresh", icon=":material/refresh:"):
        forms.forget("deadline_table")
        st.rerun()

st.dataframe([{"项目": shown.labels[f], "规范规定（分钟）": shown.defaults[f],
               "现行（分钟）": shown.values[f],
               "状态": "已收紧" if shown.values[f] < shown.defaults[f] else "按规定"}
              for f in shown.labels], hide_index=True)
if shown.customised:
    st.caption(f"最近修改：{shown.updated_by_name}，{fmt(shown.updated_at, '%Y-%m-%d %H:%M')}")
else:
    st.caption("现行为规范规定的时限，尚未修改。")

if can(actor, "deadline_table.edit"):
    st.subheader("修改时限")
    with st.form(k):
        values = {}
        cols = st.columns(2)
        for i, (name, label) in enumerate(shown.labels.items()):
            values[name] = cols[i % 2].number_input(
                f"{label}（分钟）", value=shown.values[name], step=1, key=f"{k}_{name}",
                help=f"规范规定 {shown.defaults[name]} 分钟，只能等于或少于此数（第二十一条）")
        save = st.form_submit_button("保存时限表", type="primary", icon=":material/save:")
    if save:
        act(incidents.update_deadline_table, actor, {n: None if v is None else int(v) for n, v in values.items()},
            snap.version, success="报告时限已保存，此后计算的时限按新表执行（第二十一条）",
            snapshot="deadline_table")
