"""审批: the shift leader's queue — reports to sign off (签发) and closures to approve (第七条)."""
import streamlit as st

import ui
from services import incidents
from ui import forms
from ui.context import flash
from ui.incidents import act, elements_frame, fmt, md

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

actor = ui.actor()
st.title("审批")
st.caption("带班领导审核签发报告、批准关闭事件（第七条）。签发后由值班员按签发内容报送；"
           "退回须写明意见。每一项审批都记入事件时间线和审计日志。")
flash()

def decision(k: str, approve: tuple[str, str, str], back_label: str) -> tuple[str, bool, bool]:
    """The comment and its two decisions as one form: (comment, approved, returned).

    A refused return (意见必填) keeps what was written; Enter does not press 签发 / 批准关闭
    (forms.typed)."""
    label, name, icon = approve
    with forms.typed(f"{k}_form", enter=False):
        comment = st.text_input("审批意见", key=f"{k}_comment", placeholder="退回时必填")
        with st.container(horizontal=True):
            yes = st.form_submit_button(label, key=f"{k}_{name}", type="primary", icon=icon)
            no = st.form_submit_button(back_label, key=f"{k}_return", icon=":material/undo:")
    return comment, yes, no


if st.button("刷新", key="approvals_refresh", icon=":material/refresh:"):
    st.rerun()
queue = ui.run_action(incidents.approvals_queue, actor)
if queue is None:
    st.stop()

# ---------------------------------------------------------------- reports to sign off (签发)

st.subheader(f"待签发报告（{len(queue.reports)}）")
if not queue.reports:
    st.caption("没有待签发的报告。")
for r in queue.reports:
    snap = forms.loaded(f"signoff_{r.id}", r)
    k = forms.key("signoff", snap)
    with st.container(border=True, key=f"signoff_card_{r.id}"):
        st.markdown(f"**{md(snap.incident_title)} · {snap.title}**")
        with st.container(horizontal=True, gap="small"):
            if snap.urgency_label:
                st.badge(snap.urgency_label, color="red")
            st.badge(snap.classification_label, color="gray")
            if snap.unverified:
                st.badge("边核实边报告", color="orange")
            if snap.missing_elements:
                st.badge(f"缺少 {len(snap.missing_elements)} 项要素", color="orange")
            else:
                st.badge("要素齐全", color="green")
        st.caption(f"起草：{snap.drafted_by_name} · 提交：{fmt(snap.submitted_at)} · "
                   f"报送对象：{'、'.join(snap.recipient_labels)}")
        if snap.missing_elements:
            st.warning(f"缺少要素：{'、'.join(snap.missing_elements)}（第十九条；紧急首报可先行报送，续报补齐）")
        if snap.kind != "initial":
            st.markdown(f"新进展：{md(snap.changes_since_last)}")
            st.caption(f"变化的要素：{'、'.join(snap.changed_elements) or '无'}")
        with st.expander("报告全文（十一项要素）"):
            st.dataframe(elements_frame(snap), hide_index=True)
        # A download button may not sit in a form: it comes before the comment's form.
        st.download_button("下载文稿（Word）",
                           data=lambda rid=snap.id: incidents.report_docx(actor, rid),
                           file_name=f"{snap.title}-{snap.id}.docx", mime=DOCX_MIME,
                           on_click="ignore", key=f"{k}_docx", icon=":material/download:")
        comment, sign, back = decision(k, ("签发", "sign", ":material/draw:"), "退回修改")
        if sign:
            act(incidents.sign_off_report, actor, snap.id, snap.version, comment,
                success=f"已签发「{snap.incident_title}」{snap.title}", snapshot=f"signoff_{r.id}")
        if back:
            act(incidents.return_report, actor, snap.id, snap.version, comment,
                success=f"已退回「{snap.incident_title}」{snap.title}", snapshot=f"signoff_{r.id}")

# ---------------------------------------------------------------- closures to approve

st.subheader(f"待批准关闭（{len(queue.closures)}）")
if not queue.closures:
    st.caption("没有待批准的关闭申请。")
for c in queue.closures:
    snap = forms.loaded(f"closure_{c.id}", c)
    k = forms.key("closure", snap)
    with st.container(border=True, key=f"closure_card_{c.id}"):
        st.markdown(f"**{md(snap.title)}**")
        st.caption(f"{snap.level_label} · {snap.category_label} · 首接负责人：{snap.owner_name} · "
                   f"接报 {fmt(snap.received_at)} · {md(snap.unit_name)}")
        if snap.closure_note:
            st.markdown(f"关闭说明：{md(snap.closure_note)}")
        # 查看事件 uses no comment and stays a plain button, outside the comment's form.
        if st.button("查看事件", key=f"{k}_open", icon=":material/open_in_new:"):
            st.switch_page("pages/incidents.py", query_params={"id": snap.id})
        comment, approve, back = decision(k, ("批准关闭", "approve", ":material/task_alt:"), "退回")
        if approve:
            act(incidents.approve_closure, actor, snap.id, snap.version, comment,
                success=f"已批准关闭「{snap.title}」", snapshot=f"closure_{c.id}")
        if back:
            act(incidents.return_closure, actor, snap.id, snap.version, comment,
                success=f"已退回「{snap.title}」的关闭申请", snapshot=f"closure_{c.id}")
