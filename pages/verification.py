"""核报: verification requests from the district duty office, logged, answered in time (第二十条)."""
import streamlit as st

import ui
from services import incidents
from services.directory import units
from services.incidents import CATEGORY_LABELS, LEVEL_LABELS
from ui import forms
from ui.context import flash
from ui.incidents import (
    BADGE_COLORS, TEXT_COLORS, act, countdown, fmt, md, seconds_until, time_field,
)

ANSWER_CHANNELS = {"phone": "电话反馈", "written": "书面反馈"}
LINKS = {"none": "暂不关联", "existing": "关联已有事件", "new": "新建事件"}
DISTRICT_DUTY_OFFICE = "区政府办公室总值班室"

actor = ui.actor()
st.title("核报")
st.caption("区政府办公室总值班室要求核报的事项，电话反馈不超过 15 分钟，要求报送书面材料的不超过 1 小时；"
           "确实无法在规定时间内核准的，须及时说明原因（第二十条、第二十一条）。")
flash()

raw = st.query_params.get("id")
focus = int(raw) if raw and raw.isdigit() else None
open_rows = ui.run_action(incidents.list_verification_requests, actor)
if open_rows is None:
    st.stop()
open_rows = sorted(open_rows, key=lambda v: v.id != focus)   # the one the desk sent first
incident_rows = ui.run_action(incidents.list_incidents, actor) or []
incident_names = {r.id: r.title for r in incident_rows}


def request_card(v) -> None:
    snap = forms.loaded(f"verification_{v.id}", v)
    k = forms.key("verification", snap)
    with st.container(border=True):
        st.markdown(f"**{md(snap.content)}**")
        linked = f" · 关联事件：{md(snap.incident_title)}" if snap.incident_id else " · 未关联事件"
        st.caption(f"{md(snap.requester)} · 要求时间 {fmt(snap.requested_at)} · "
                   f"{'要求报送书面材料' if snap.written_required else '电话反馈'}{linked}")
        with st.container(horizontal=True, gap="small"):
            for d in v.deadlines:   # live status from this run
                if d.status == "done":
                    st.badge(f"{d.channel_label}反馈已完成", color="green")
                else:
                    st.badge(f"{d.channel_label}反馈 {d.status_label}", color=BADGE_COLORS[d.status])
                    st.markdown(f":{TEXT_COLORS[d.status]}[**{countdown(seconds_until(d.due_at))}**]"
                                f"（应于 {fmt(d.due_at, '%H:%M')} 前）")
        channels = [c for c in ANSWER_CHANNELS if getattr(snap, f"{c}_answered_at") is None]
        with st.form(f"{k}_answer"):
            left, right = st.columns(2)
            channel = left.selectbox("反馈方式", channels, format_func=ANSWER_CHANNELS.get,
                                     key=f"{k}_channel")
            answered_at = time_field("反馈时间", f"{k}_at", None, container=right,
                                     help="不填则为当前时间")
            answer = st.text_area("反馈内容", key=f"{k}_answer_text", height=80)
            late = st.text_area("未能按时反馈的原因", key=f"{k}_late", height=68,
                                help="超过规定时间反馈的，须说明原因（第二十条）")
            send = st.form_submit_button("提交反馈", type="primary", icon=":material/reply:")
        if send:
            act(incidents.answer_verification, actor, snap.id, snap.version, channel, answer,
                answered_at, late, success=f"已记录{ANSWER_CHANNELS.get(channel, '')}",
                snapshot=f"verification_{v.id}")
        if snap.incident_id:
            if st.button("查看关联事件", key=f"{k}_open", icon=":material/open_in_new:"):
                st.switch_page("pages/incidents.py", query_params={"id": snap.incident_id})
        elif incident_names:
            left, right = st.columns([4, 1], vertical_alignment="bottom")
            target = left.selectbox("关联到事件", list(incident_names), index=None,
                                    format_func=incident_names.get, placeholder="选择未关闭的事件",
                                    key=f"{k}_link_to")
            if right.button("关联", key=f"{k}_link", disabled=target is None):
                act(incidents.link_verification_request, actor, snap.id, snap.version, target,
                    success=f"已关联「{incident_names[target]}」", snapshot=f"verification_{v.id}")


open_tab, log_tab = st.tabs([f"待反馈（{len(open_rows)}）", "登记核报"])

with open_tab:
    if not open_rows:
        st.success("没有待反馈的核报。")
    for v in open_rows:
        request_card(v)

with log_tab:
    link = st.segmented_control("关联事件", list(LINKS), format_func=LINKS.get, default="none",
                                required=True, key="verification_link_mode")
    unit_rows = ui.run_action(units.list_units, actor) or []
    unit_names = {u.id: u.name for u in unit_rows}
    default_unit = actor.unit_id if actor.unit_id in unit_names else next(
        (u.id for u in unit_rows if u.kind == "street_office"), None)
    k = forms.new_key("verification_new")
    with st.form(k):
        left, right = st.columns(2)
        requested_at = time_field("核报要求时间", f"{k}_requested_at", container=left,
                                  help="时限自区里提出要求时起算（第二十一条）")
        requester = right.text_input("要求单位", DISTRICT_DUTY_OFFICE, key=f"{k}_requester")
        content = st.text_area("核报内容", key=f"{k}_content", height=100)
        written = st.checkbox("要求报送书面材料（1 小时内）", key=f"{k}_written")
        incident_id, new_incident, unit_id = None, None, None
        if link == "existing":
            incident_id = st.selectbox("关联事件", list(incident_names), index=None,
                                       format_func=incident_names.get, placeholder="选择未关闭的事件",
                                       key=f"{k}_incident")
        else:
            unit_ids = list(unit_names)
            unit_id = st.selectbox("所属值班单位", unit_ids,
                                   index=unit_ids.index(default_unit) if default_unit in unit_ids else None,
                                   format_func=unit_names.get, key=f"{k}_unit",
                                   disabled=len(unit_ids) <= 1)
        if link == "new":
            st.markdown("**新建事件**")
            title = st.text_input("事件名称", key=f"{k}_title")
            left, right = st.columns(2)
            occurred_at = time_field("事发时间", f"{k}_occurred_at", None, container=left)
            place = right.text_input("事发地点", key=f"{k}_place")
            left, right = st.columns(2)
            category = left.selectbox("事件类别", list(CATEGORY_LABELS), index=None,
                                      format_func=CATEGORY_LABELS.get, placeholder="请选择",
                                      key=f"{k}_category")
            levels = list(LEVEL_LABELS)
            level = right.selectbox("事件等级", levels, index=levels.index(None),
                                    format_func=LEVEL_LABELS.get, key=f"{k}_level")
        save = st.form_submit_button("登记核报", type="primary", icon=":material/add_task:")
    if save:
        if link == "new":
            new_incident = incidents.IntakeInput(
                title=title, occurred_at=occurred_at, place=place, category=category,
                source_kind="unit", source_text=requester, level=level, description=content,
                unit_id=unit_id)
        if link == "existing" and incident_id is None:
            st.error("关联事件：请选择")
        else:
            act(incidents.log_verification_request, actor,
                incidents.VerificationInput(content=content, requested_at=requested_at,
                                            requester=requester, written_required=written,
                                            unit_id=unit_id, incident_id=incident_id,
                                            new_incident=new_incident),
                success="核报已登记，反馈时限开始计时", reset="verification_new")
