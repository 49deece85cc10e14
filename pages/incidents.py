"""突发事件: the list, and one incident's whole record with what may be done next.

第十二条 首接负责 and transfers; 第十三条 the timeline in time order; 第十八、十九条 reports
and their elements; 第二十一条 clocks; 第二十二条 channels and phone reports.
The detail works from the snapshot the page first loaded (ui.forms): every write sends
its versions, and a change made meanwhile by someone else is shown, not overwritten.
"""
import re

import streamlit as st

import ui
from services import clock
from services import incidents
from services.errors import DomainError
from services.incidents import (
    CATEGORY_LABELS, CHANNEL_LABELS, CLASSIFICATION_LABELS, LEVEL_LABELS, RECIPIENT_LABELS,
    REPORT_KINDS, SOURCE_KIND_LABELS,
)
from services.permissions import can
from ui import forms, tables
from ui.context import flash
from ui.incidents import (
    REFRESH_SECONDS, LoadedIncident, act, deadline_frame, elements_frame, fmt, md,
    report_fields, state_badges, time_field,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TABS = ["书面报告", "电话报告", "处置与交接", "事件信息", "时间线", "来电与核报"]
TAB_FOR_ACTION = {"written_report": "书面报告", "phone_report": "电话报告"}   # pages/desk.py
SCOPES = {"open": "未关闭", "all": "全部"}

actor = ui.actor()
st.title("突发事件")
flash()


def open_detail(incident_id: int) -> None:
    st.switch_page("pages/incidents.py", query_params={"id": incident_id})


def back_to_list() -> None:
    st.switch_page("pages/incidents.py")


def sent_message(title: str):
    """What a report sent (or a call recorded) did to the clocks, for the success message."""
    return lambda result: _sent_message(title, result)


def _sent_message(title: str, result) -> str:
    parts = [f"{title}已报送"]
    if result.satisfied:
        parts.append(f"满足时限：{'、'.join(result.satisfied)}")
    if result.late:
        parts.append(f"超时报送（已记录原因）：{'、'.join(result.late)}")
    if result.written_owed:
        parts.append(f"须补报书面报告：{'、'.join(result.written_owed)}（第二十二条）")
    return "；".join(parts)


def file_name(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")[:80] or "报告"


# ---------------------------------------------------------------- the list

def show_list() -> None:
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    scope = left.segmented_control("范围", list(SCOPES), format_func=SCOPES.get, default="open",
                                   key="incident_scope", required=True)
    right.page_link(ui.page("pages/intake.py"), label="接报登记", icon=":material/add_call:")
    shown = ui.run_action(incidents.incidents_page, actor, open_only=scope != "all",
                          page=st.session_state.get(f"incident_page_{scope}", 1))
    if shown is None:
        return
    rows = shown.rows
    forms.pager(shown, f"incident_page_{scope}", "第 {first}–{last} 起，共 {total} 起（接报时间新的在前）")
    st.dataframe(tables.columns({
        "事件": [r.title for r in rows], "状态": [r.state_label for r in rows],
        "等级": [r.level_label for r in rows], "类别": [r.category_label for r in rows],
        "事发时间": [fmt(r.occurred_at) for r in rows], "接报时间": [fmt(r.received_at) for r in rows],
        "事发地点": [r.place for r in rows], "首接负责人": [r.owner_name for r in rows],
        "单位": [r.unit_name for r in rows], "未完成时限": [r.open_deadlines or None for r in rows],
        "最近时限": [fmt(r.next_due_at) for r in rows], "关闭申请": [r.closure_status_label for r in rows],
    }), hide_index=True, placeholder="—")
    if shown.pages <= 1:
        st.caption(f"共 {shown.total} 起")
    if not rows:
        return
    by_id = {r.id: r for r in rows}
    pick_col, button_col = st.columns([5, 1], vertical_alignment="bottom")
    picked = pick_col.selectbox(
        "打开事件", list(by_id), index=None, placeholder="选择事件查看详情", key="incident_pick",
        format_func=lambda i: f"{by_id[i].title}（{by_id[i].state_label}，接报 {fmt(by_id[i].received_at)}）")
    if button_col.button("查看详情", type="primary", disabled=picked is None, key="incident_open"):
        open_detail(picked)


# ---------------------------------------------------------------- one incident

def facts_grid(row) -> None:
    source = f"{row.source_kind_label}：{row.source_text}" if row.source_text else row.source_kind_label
    facts = [("事发时间", fmt(row.occurred_at, "%Y-%m-%d %H:%M")),
             ("接报时间", fmt(row.received_at, "%Y-%m-%d %H:%M")),
             ("事发地点", row.place), ("所属单位", row.unit_name),
             ("信息来源", source), ("首接负责人", row.owner_name),
             ("事件类别", row.category_label), ("事件等级", row.level_label)]
    cols = st.columns(4)
    for i, (label, value) in enumerate(facts):
        with cols[i % 4]:
            st.caption(label)
            st.markdown(md(value) or "—")
    st.caption("基本情况")
    st.markdown(md(row.description) or "—")


@st.fragment(run_every=REFRESH_SECONDS * 2)
def clocks(incident_id: int) -> None:
    """The incident's clocks, refreshed while the page is open (display only)."""
    try:
        detail = incidents.incident_detail(ui.recheck_session(), incident_id)
    except DomainError as err:
        st.error(err.message)
        return
    if detail.deadlines:
        st.dataframe(deadline_frame(detail.deadlines), hide_index=True, placeholder="—")
        st.caption(f"截至 {clock.fmt(clock.now(), '%H:%M:%S')}。过半变黄，超时变红，完成前一直标红。")
    else:
        st.caption("本事件暂无报告时限（一般事件且无敏感情形的，无须报区政府，第二十一条）。")


def overdue(deadlines, recipients) -> list:
    """The numbered clocks of these recipients already past due: sending now needs a reason
    (说明原因, 第二十一条). "At once" clocks (立即) have no number and need none."""
    return [x for x in deadlines if x.status == "red" and x.recipient in recipients
            and x.kind != "verification" and not (x.starts_at and x.due_at <= x.starts_at)]


def late_warning(late) -> None:
    if late:
        st.warning(f"已超过报告时限：{'、'.join(x.label for x in late)}。报送时须填写迟报原因"
                   "（说明原因，第二十一条）。", icon=":material/timer_off:")


def reports_tab(d, k: str, closed: bool, live) -> None:
    row = d.incident
    written = [r for r in d.reports if not r.by_phone]
    if d.reports:
        st.dataframe([{
            "报告": r.title, "状态": r.status_label, "紧急程度": r.urgency_label,
            "缺少要素": "、".join(r.missing_elements), "变化要素": "、".join(r.changed_elements),
            "渠道": r.channel_label, "报送对象": "、".join(r.recipient_labels),
            "签发人": r.signed_off_by_name, "报送时间": fmt(r.sent_at), "迟报原因": r.delay_reason,
            "未核实": "是" if r.unverified else "",
        } for r in d.reports], hide_index=True, placeholder="—")
    if written:
        with st.container(horizontal=True):
            for r in written:
                # Built (and audited) only when clicked.
                st.download_button(f"下载{r.title}（Word）",
                                   data=lambda rid=r.id: incidents.report_docx(actor, rid),
                                   file_name=f"{file_name(row.title)}-{r.title}.docx", mime=DOCX_MIME,
                                   on_click="ignore", key=f"docx_{r.id}", icon=":material/download:")
    if closed:
        return
    current = next((r for r in written if r.status != "sent"), None)
    if current is not None:
        current_report(d, current, k, live)
    elif d.next_report_kind:
        new_report(d, k)
    elif d.final_sent:
        st.caption("终报已报送，可在「处置与交接」中申请关闭事件。")


def completeness(r) -> None:
    if r.missing_elements:
        text = f"要素不全，缺少：{'、'.join(r.missing_elements)}（第十九条）。"
        if r.kind == "initial":
            text += "情况紧急的首报可标注紧急程度先行报送，缺少的要素须在续报中补齐。"
        st.warning(text, icon=":material/rule:")
    else:
        st.success("第十九条规定的十一项要素已齐全。", icon=":material/checklist:")
    if r.kind != "initial":
        st.info(f"与上次报告相比有变化的要素：{'、'.join(r.changed_elements) or '无'}")


def current_report(d, r, k: str, live) -> None:
    st.subheader(f"{r.title} · {r.status_label}")
    if r.unverified:
        st.caption("本报告为边核实、边报告（第十八条），文稿中注明「情况正在核实中」。")
    if r.status in ("draft", "returned"):
        if r.status == "returned":
            st.warning(f"带班领导{r.returned_by_name}退回修改：{md(r.return_comment)}")
        completeness(r)
        with st.form(f"{k}_edit"):
            content = report_fields(f"{k}_edit", r, r.kind)
            with st.container(horizontal=True):
                save = st.form_submit_button("保存草稿", icon=":material/save:")
                submit = st.form_submit_button("提交签发", type="primary", icon=":material/send:")
        if save:
            act(incidents.update_draft, actor, r.id, r.version, content,
                success=f"{r.title}草稿已保存", snapshot="incident")
        if submit:
            act(incidents.submit_report, actor, r.id, r.version, content,
                success=f"{r.title}已提交带班领导签发", snapshot="incident")
    elif r.status == "submitted":
        st.info(f"已于 {fmt(r.submitted_at)} 提交，等待带班领导签发（第七条）。")
        if can(actor, "report.sign_off"):
            st.page_link(ui.page("pages/approvals.py"), label="去审批签发", icon=":material/approval:")
        with st.expander("报告内容"):
            st.dataframe(elements_frame(r), hide_index=True)
    elif r.status == "approved":
        st.success(f"已由{r.signed_off_by_name}于 {fmt(r.signed_off_at)} 签发，请按签发内容报送并登记。")
        with st.expander("报告内容"):
            st.dataframe(elements_frame(r), hide_index=True)
        late_warning(overdue(live, r.recipients))
        with st.form(f"{k}_send"):
            channels = list(r.allowed_channels)
            left, right = st.columns(2)
            channel = left.selectbox("报送渠道", channels,
                                     index=channels.index("written") if "written" in channels else 0,
                                     format_func=CHANNEL_LABELS.get, key=f"{k}_send_channel",
                                     help="密级高于「公开」的不得用短信（第十五条、第二十二条）")
            sent_at = time_field("报送时间", f"{k}_send_at", None, container=right,
                                 help="不填则为当前时间")
            recipients = st.multiselect("报送对象", list(RECIPIENT_LABELS), default=r.recipients,
                                        format_func=RECIPIENT_LABELS.get, key=f"{k}_send_recipients")
            delay = st.text_area("迟报原因", key=f"{k}_send_delay", height=68,
                                 help="超过报告时限报送的，须说明原因（第二十一条）")
            send = st.form_submit_button("确认报送", type="primary", icon=":material/outbox:")
        if send:
            act(incidents.mark_sent, actor, r.id, r.version, channel, recipients, sent_at, delay,
                success=sent_message(r.title), snapshot="incident")


def new_report(d, k: str) -> None:
    row = d.incident
    st.subheader("起草书面报告")
    if d.next_report_kind == "initial":
        kind = "initial"
    else:
        kind = st.segmented_control("报告类型", ["follow_up", "final"], format_func=REPORT_KINDS.get,
                                    default="follow_up", required=True, key=f"{k}_new_kind",
                                    help="有新进展时续报；处置结束后报终报（第十九条）")
    label = REPORT_KINDS[kind]
    template = ui.run_action(incidents.report_template, actor, row.id, kind)
    if template is None:
        return
    st.caption("已按事件信息（或上次报告）预填。" + ("首报情况紧急的可标注紧急程度先行报送（第十八、十九条）。"
                                                  if kind == "initial" else "请写明新进展，补齐上次缺少的要素。"))
    with st.form(f"{k}_new_{kind}"):
        content = report_fields(f"{k}_new_{kind}", template, kind)
        draft = st.form_submit_button(f"保存{label}草稿", type="primary", icon=":material/edit_note:")
    if draft:
        act(incidents.draft_report, actor, row.id, row.version, kind, content,
            success=f"{label}草稿已保存，请核对要素后提交签发", snapshot="incident")


def phone_tab(d, k: str, closed: bool, live) -> None:
    row = d.incident
    if closed:
        st.caption("事件已关闭。")
        return
    st.caption("紧急情况下先电话口头报告，再报书面报告（第二十二条）。登记已经打出的电话：满足对应的电话报告时限，"
               "并对报告对象开启补报书面报告的时限。")
    open_phone = [x for x in d.deadlines if x.channel == "phone" and x.status != "done"]
    default = list(dict.fromkeys(x.recipient for x in open_phone)) or list(d.suggested_recipients)
    late_warning([x for x in overdue(live, default) if x.channel == "phone"])
    with st.form(f"{k}_phone"):
        recipients = st.multiselect("电话报告对象", list(RECIPIENT_LABELS), default=default,
                                    format_func=RECIPIENT_LABELS.get, key=f"{k}_phone_recipients")
        summary = st.text_area("电话报告内容", key=f"{k}_phone_summary", height=100,
                               placeholder="简要记录报告了什么")
        left, right = st.columns(2)
        sent_at = time_field("通话时间", f"{k}_phone_at", None, container=left, help="不填则为当前时间")
        unverified = right.checkbox("边核实、边报告（尚未核实）", row.state == "received",
                                    key=f"{k}_phone_unverified", help="第十八条")
        delay = st.text_area("电话迟报原因", key=f"{k}_phone_delay", height=68,
                             help="超过电话报告时限的，须说明原因（第二十一条）")
        record = st.form_submit_button("登记电话报告", type="primary", icon=":material/phone_in_talk:")
    if record:
        act(incidents.record_phone_report, actor, row.id, row.version,
            incidents.PhoneReportInput(recipients=recipients, summary=summary, sent_at=sent_at,
                                       delay_reason=delay, unverified=unverified),
            success=sent_message("电话报告"), snapshot="incident")


def handling_tab(d, k: str, closed: bool) -> None:
    row = d.incident
    triggers = dict(d.triggers)
    if closed:
        st.success(f"事件已于 {fmt(row.closed_at)} 关闭。" + (f"批准意见：{md(row.closure_comment)}"
                                                           if row.closure_comment else ""))
        transfers_table(d)
        return
    st.markdown("**核实（第十八条）**")
    if "start_verification" in triggers:
        with st.form(f"{k}_verify"):
            note = st.text_input("核实安排", key=f"{k}_verify_note", placeholder="如：电话联系社区网格员核实")
            start = st.form_submit_button("开始核实", icon=":material/fact_check:")
        if start:
            act(incidents.start_verification, actor, row.id, row.version, note,
                success="已开始核实", snapshot="incident")
    if row.unverified:
        st.warning("本事件已边核实、边报告，尚待核实（第十八条）。")
        with st.form(f"{k}_verified"):
            note = st.text_area("核实情况", key=f"{k}_verified_note", height=68,
                                placeholder="核实的渠道和结果")
            done = st.form_submit_button("核实完成", icon=":material/verified:")
        if done:
            act(incidents.confirm_verified, actor, row.id, row.version, note,
                success="已记录核实完成", snapshot="incident")
    elif "start_verification" not in triggers:
        st.caption("报告、续报在「书面报告」「电话报告」中报送后，事件状态随之变化（第十八、十九条）。")

    st.markdown("**关闭事件（第七条、第十九条）**")
    if row.closure_status == "requested":
        st.info("已申请关闭，等待带班领导批准。" + (f"说明：{md(row.closure_note)}" if row.closure_note else ""))
    else:
        if row.closure_status == "returned":
            st.warning(f"关闭申请被退回：{md(row.closure_comment)}")
        if "close" in triggers and d.final_sent:
            with st.form(f"{k}_close"):
                note = st.text_area("关闭说明", key=f"{k}_close_note", height=68,
                                    placeholder="处置结果、善后情况")
                ask = st.form_submit_button("申请关闭", type="primary", icon=":material/task_alt:")
            if ask:
                act(incidents.request_closure, actor, row.id, row.version, note,
                    success="已申请关闭，等待带班领导批准", snapshot="incident")
        else:
            st.caption("终报报送、各项时限完成后，可申请关闭，经带班领导批准后关闭。")

    st.markdown("**交接（首接负责，第十二条）**")
    st.caption(f"现由 {row.owner_name} 负责。交接须接手人接受后生效，未接受前仍由原负责人负责。")
    t = d.pending_transfer
    if t is not None:
        st.info(f"{t.from_name} → {t.to_name}：待接受（{fmt(t.requested_at)} 发起）。交接说明：{md(t.reason)}")
        if actor.user_id == t.to_user_id:
            with st.container(horizontal=True):
                accept = st.button("接受交接", key=f"{k}_accept", type="primary")
                decline = st.button("拒绝交接", key=f"{k}_decline")
            if accept:
                act(incidents.accept_transfer, actor, t.id, t.version,
                    success="已接受交接，现由您负责", snapshot="incident")
            if decline:
                act(incidents.decline_transfer, actor, t.id, t.version, "",
                    success="已拒绝交接", snapshot="incident")
        elif st.button("撤回交接", key=f"{k}_cancel_transfer"):
            act(incidents.cancel_transfer, actor, t.id, t.version, success="已撤回交接",
                snapshot="incident")
    else:
        candidates = dict(ui.run_action(incidents.transfer_candidates, actor, row.id) or [])
        with st.form(f"{k}_transfer"):
            to = st.selectbox("交接给", list(candidates), index=None, format_func=candidates.get,
                              placeholder="选择接手人", key=f"{k}_transfer_to")
            reason = st.text_area("交接说明", key=f"{k}_transfer_reason", height=68,
                                  placeholder="办理进展和待办事项")
            hand = st.form_submit_button("发起交接", icon=":material/swap_horiz:")
        if hand:
            if to is None:
                st.error("交接给：请选择接手人（第十二条）")
            else:
                act(incidents.request_transfer, actor, row.id, row.version, to, reason,
                    success=f"已发起交接，待{candidates[to]}接受", snapshot="incident")
    transfers_table(d)


def transfers_table(d) -> None:
    if d.transfers:
        st.dataframe([{"发起时间": fmt(t.requested_at), "交出": t.from_name, "接手": t.to_name,
                       "状态": t.status_label, "交接说明": t.reason,
                       "拒绝理由": t.decline_reason} for t in d.transfers],
                     hide_index=True, placeholder="—")


def facts_tab(d, k: str, closed: bool) -> None:
    row = d.incident
    if closed:
        st.caption("事件已关闭，信息不再修改。")
        return
    st.caption("提高等级、修改类别、敏感情形或事发时间，报告时限随之重新计算（第二十一条）；"
               "降低等级或取消敏感标记须说明理由。修改记入时间线。")
    with st.form(f"{k}_facts"):
        title = st.text_input("事件名称", row.title, key=f"{k}_facts_title")
        left, right = st.columns(2)
        occurred_at = time_field("事发时间", f"{k}_facts_occurred_at", row.occurred_at, container=left)
        place = right.text_input("事发地点", row.place, key=f"{k}_facts_place")
        left, middle, right = st.columns(3)
        categories, levels, classes = list(CATEGORY_LABELS), list(LEVEL_LABELS), list(CLASSIFICATION_LABELS)
        category = left.selectbox("事件类别", categories, index=categories.index(row.category),
                                  format_func=CATEGORY_LABELS.get, key=f"{k}_facts_category")
        level = middle.selectbox("事件等级", levels, index=levels.index(row.level),
                                 format_func=LEVEL_LABELS.get, key=f"{k}_facts_level")
        classification = right.selectbox("密级", classes, index=classes.index(row.classification),
                                         format_func=CLASSIFICATION_LABELS.get, key=f"{k}_facts_class")
        left, right = st.columns([1, 2])
        kinds = list(SOURCE_KIND_LABELS)
        source_kind = left.selectbox("信息来源", kinds, index=kinds.index(row.source_kind),
                                     format_func=SOURCE_KIND_LABELS.get, key=f"{k}_facts_source_kind")
        source_text = right.text_input("来源说明", row.source_text, key=f"{k}_facts_source_text")
        a, b, c = st.columns(3)
        sensitive_time = a.checkbox("敏感时间", row.sensitive_time, key=f"{k}_facts_st")
        sensitive_place = b.checkbox("敏感地点", row.sensitive_place, key=f"{k}_facts_sp")
        sensitive_nature = c.checkbox("敏感性质", row.sensitive_nature, key=f"{k}_facts_sn")
        description = st.text_area("基本情况", row.description, key=f"{k}_facts_description", height=100)
        reason = st.text_input("修改理由", key=f"{k}_facts_reason",
                               placeholder="降低等级、取消敏感标记时必填")
        save = st.form_submit_button("保存事件信息", type="primary", icon=":material/save:")
    if save:
        facts = incidents.IncidentFacts(
            title=title, occurred_at=occurred_at, place=place, category=category,
            source_kind=source_kind, source_text=source_text, level=level,
            sensitive_time=sensitive_time, sensitive_place=sensitive_place,
            sensitive_nature=sensitive_nature, description=description,
            classification=classification)
        moved = level != row.level
        act(incidents.update_facts, actor, row.id, row.version, facts, reason,
            success="事件信息已保存" + ("；报告时限已按新的等级重新计算（第二十一条）" if moved else ""),
            snapshot="incident")


def timeline_tab(d) -> None:
    st.caption("事件的全部办理记录，按时间顺序（第十三条）；记录只增不改。")

    def change(e) -> str:
        if e.from_state and e.to_state and e.from_state != e.to_state:
            return f"{e.from_label} → {e.to_label}"
        return e.to_label if e.to_state and not e.from_state else ""

    st.dataframe([{
        "时间": fmt(e.at, "%Y-%m-%d %H:%M:%S"), "事项": e.kind_label, "操作人": e.actor_name,
        "状态变化": change(e),
        "说明": "；".join(x for x in (e.details.get("title", ""), e.note) if x),
    } for e in d.timeline], hide_index=True, placeholder="—")


def calls_tab(d, k: str, closed: bool) -> None:
    row = d.incident
    st.markdown("**来电记录**（同一事件的多次报告，第十一条）")
    st.dataframe([{"接报时间": fmt(i.received_at), "来电人": i.caller, "来电号码": i.number,
                   "内容": i.summary, "接报人": i.taken_by_name} for i in d.intakes],
                 hide_index=True, placeholder="—")
    if not closed:
        with st.form(f"{k}_call"):
            left, middle, right = st.columns(3)
            caller = left.text_input("来电人", key=f"{k}_call_caller")
            number = middle.text_input("来电号码", key=f"{k}_call_number")
            received_at = time_field("来电时间", f"{k}_call_at", None, container=right,
                                     help="不填则为当前时间")
            summary = st.text_area("来电内容", key=f"{k}_call_summary", height=68)
            add = st.form_submit_button("记入再次来电", icon=":material/add_call:")
        if add:
            act(incidents.link_intake, actor, row.id,
                incidents.IntakeCallInput(caller=caller, number=number, summary=summary,
                                          received_at=received_at),
                success="来电已记入本事件", snapshot="incident")
    st.markdown("**核报**（第二十条）")
    if d.verification_requests:
        st.dataframe([{"要求时间": fmt(v.requested_at), "内容": v.content, "状态": v.state_label,
                       "电话反馈": fmt(v.phone_answered_at), "书面反馈": fmt(v.written_answered_at),
                       "迟报原因": v.late_reason} for v in d.verification_requests],
                     hide_index=True, placeholder="—")
    else:
        st.caption("暂无核报。")
    st.page_link(ui.page("pages/verification.py"), label="核报登记与反馈", icon=":material/fact_check:")


def show_detail(incident_id: int) -> None:
    with st.container(horizontal=True):
        if st.button("返回事件列表", icon=":material/arrow_back:", key="incident_back"):
            back_to_list()
        if st.button("刷新", icon=":material/refresh:", key="incident_refresh"):
            forms.forget("incident")
            st.rerun()
    try:
        fresh = incidents.incident_detail(actor, incident_id)
    except DomainError as err:
        st.error(err.message)
        return
    snap = forms.loaded("incident", LoadedIncident.of(fresh))
    if snap.version != LoadedIncident.of(fresh).version:
        st.info("本事件已有新的办理记录（他人操作），下方仍是打开时的内容；请点击「刷新」后再办理。",
                icon=":material/sync_problem:")
    d, k = snap.detail, forms.key("incident", snap)
    row = d.incident
    closed = row.state == "closed"
    st.header(md(row.title))
    state_badges(row)
    facts_grid(row)
    st.subheader("报告时限")
    clocks(row.id)
    # The desk links straight to a form (?action=…, used once); the open tab is kept across
    # the reruns that saving causes. Only the open tab's content is built.
    action = st.query_params.get("action")
    if action in TAB_FOR_ACTION:
        st.session_state["incident_tab"] = TAB_FOR_ACTION[action]
        del st.query_params["action"]
    tabs = st.tabs(TABS, key="incident_tab", on_change="rerun")
    live = fresh.deadlines   # statuses as of now; the forms keep the snapshot's versions
    renderers = [lambda: reports_tab(d, k, closed, live), lambda: phone_tab(d, k, closed, live),
                 lambda: handling_tab(d, k, closed), lambda: facts_tab(d, k, closed),
                 lambda: timeline_tab(d), lambda: calls_tab(d, k, closed)]
    for tab, render in zip(tabs, renderers):
        if tab.open:
            with tab:
                render()


raw = st.query_params.get("id")
selected = int(raw) if raw and raw.isdigit() else None
if selected is None:
    show_list()
else:
    show_detail(selected)
