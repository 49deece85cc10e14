"""检查抽查: the office checks units' duty (第十七条) — a spot-check list with the duty phones
to call, recording a check, and following rectification to done."""
from datetime import timedelta

import streamlit as st

import ui
from services import oversight
from services.directory import units
from services.oversight import METHOD_LABELS, InspectionInput
from services.oversight.common import today
from ui import forms
from ui.context import flash
from ui.incidents import act, fmt, md, time_field

YES_NO = {True: "是", False: "否", None: "未查"}
ANSWERED = {True: "已接听/应答", False: "未接听"}

actor = ui.actor()
st.title("检查抽查")
st.caption("党政办对各单位政务值班情况进行检查、抽查（查岗），检查结果予以通报；"
           "不合格的须提出整改要求和期限，跟踪至整改完成（第十七条）。")
flash()

# Only the chosen tab runs (switching reruns the page): the record form's units, the
# rectifications and the history are read only where they are shown.
list_tab, record_tab, follow_tab, history_tab = st.tabs(
    ["抽查名单", "登记检查", "整改跟踪", "检查记录"], key="ins_tab", on_change="rerun")


def spot_list() -> None:
    st.caption("随机抽取单位，久未检查的单位被抽中的机会更大；按名单拨打值班电话查岗。")
    with forms.typed("spot_form"):
        left, right, button = st.columns([1, 1, 1], vertical_alignment="bottom")
        n = left.number_input("抽查单位数", min_value=1, max_value=50, value=5, step=1, key="spot_n")
        seed = right.number_input("随机种子（可选）", min_value=0, value=None, step=1, key="spot_seed",
                                  help="填写同一种子可重现同一份名单")
        go = button.form_submit_button("生成抽查名单", type="primary", icon=":material/shuffle:",
                                       key="spot_go")
    if go:
        rows = ui.run_action(oversight.spot_check_list, actor, int(n),
                             None if seed is None else int(seed))
        if rows is not None:
            st.session_state["spot_list"] = rows
    rows = st.session_state.get("spot_list")
    if rows:
        st.table([r.as_dict() for r in rows])
        st.download_button("导出抽查名单（.xlsx）", lambda spot=rows: oversight.to_xlsx([r.as_dict() for r in spot], "抽查名单"),
                           file_name="抽查名单.xlsx", icon=":material/download:", key="spot_xlsx")


def record_check() -> None:
    unit_rows = ui.run_action(units.list_units, actor)
    if unit_rows is None:
        return
    unit_names = {u.id: u.name for u in unit_rows if u.active}
    k = forms.new_key("inspection_new")
    spot = [r.unit_id for r in st.session_state.get("spot_list") or [] if r.unit_id in unit_names]
    choices = spot + [u for u in unit_names if u not in spot]
    with st.form(k):
        left, right = st.columns(2)
        unit_id = left.selectbox("被检查单位", choices, index=None, format_func=unit_names.get,
                                 placeholder="请选择（抽查名单中的单位排在前面）", key=f"{k}_unit")
        method = right.selectbox("检查方式", list(METHOD_LABELS), format_func=METHOD_LABELS.get,
                                 key=f"{k}_method")
        left, right = st.columns(2)
        at = time_field("检查时间", f"{k}_at", container=left)
        answered = right.selectbox("是否接听/应答", list(ANSWERED), format_func=ANSWERED.get,
                                   key=f"{k}_answered")
        cols = st.columns(5)
        seconds = cols[0].number_input("接听用时（秒）", min_value=0, max_value=3600, value=None,
                                       step=1, key=f"{k}_seconds")
        present = cols[1].selectbox("值班人员是否在岗", [True, False, None], format_func=YES_NO.get,
                                    key=f"{k}_present")
        permanent = cols[2].selectbox("是否正式在编人员值班", [True, False, None],
                                      format_func=YES_NO.get, key=f"{k}_permanent")
        log_book = cols[3].selectbox("值班记录是否完整", [None, True, False], format_func=YES_NO.get,
                                     key=f"{k}_log_book")
        equipment = cols[4].selectbox("设备是否正常", [None, True, False], format_func=YES_NO.get,
                                      key=f"{k}_equipment")
        findings = st.text_area("发现的问题", key=f"{k}_findings", height=80,
                                help="检查不合格的须写明（第十七条）")
        left, right = st.columns(2)
        rectify = left.checkbox("要求整改", key=f"{k}_rectify")
        deadline = right.date_input("整改期限", value=today() + timedelta(days=7), key=f"{k}_deadline")
        save = st.form_submit_button("保存检查记录", type="primary", icon=":material/save:")
    if save:
        act(oversight.record_inspection, actor, InspectionInput(
            unit_id=unit_id, at=at, method=method, answered=answered, answer_seconds=seconds,
            officer_present=present, officer_permanent=permanent, log_book_complete=log_book,
            equipment_ok=equipment, findings=findings, rectification_required=rectify,
            rectification_deadline=deadline if rectify else None),
            success="检查记录已保存", reset="inspection_new")


def rectifications() -> None:
    shown = ui.run_action(oversight.rectification_page, actor, st.session_state.get("rectify_page", 1))
    if shown is not None and not shown.total:
        st.success("没有待整改的检查。")
    else:
        forms.pager(shown, "rectify_page", "待整改第 {first}–{last} 项，共 {total} 项（最早的在前）")
    for r in shown.rows if shown is not None else []:
        snap = forms.loaded(f"rectify_{r.id}", r)
        k = forms.key("rectify", snap)
        with st.container(border=True):
            st.markdown(f"**{md(snap.unit_name)}** · {fmt(snap.at)} · {snap.method_label} · "
                        f"整改期限 {snap.rectification_deadline} · {snap.rectification_status}")
            st.caption(md("；".join(snap.problems + ([snap.findings] if snap.findings else []))))
            with st.form(f"{k}_form"):
                note = st.text_area("整改情况", key=f"{k}_note", height=68)
                done = st.form_submit_button("整改完成", icon=":material/task_alt:")
            if done:
                act(oversight.complete_rectification, actor, snap.id, snap.version, note,
                    success=f"已记录{snap.unit_name}整改完成", snapshot=f"rectify_{r.id}")


def history() -> None:
    left, right = st.columns(2)
    start = left.date_input("开始日期", value=today() - timedelta(days=30), key="ins_start")
    end = right.date_input("结束日期", value=today(), key="ins_end")
    rows = ui.run_action(oversight.list_inspections, actor, start, end) or []
    table = [r.as_dict() for r in rows]
    if table:
        st.dataframe(table, hide_index=True)
        st.download_button("导出检查记录（.xlsx）", lambda rows=table: oversight.to_xlsx(rows, "检查记录"),
                           file_name="检查记录.xlsx", icon=":material/download:", key="ins_xlsx")
    else:
        st.info("所选期间没有检查记录。")


for panel, body in ((list_tab, spot_list), (record_tab, record_check), (follow_tab, rectifications),
                    (history_tab, history)):
    with panel:
        if panel.open:
            body()
