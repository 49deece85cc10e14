"""接报登记: a call opens an incident (首接负责, 第十一、十二条), or joins one already open."""
import streamlit as st

import ui
from services import incidents
from services.directory import units
from services.incidents import (
    CATEGORY_LABELS, CLASSIFICATION_LABELS, LEVEL_LABELS, SOURCE_KIND_LABELS,
)
from ui import forms
from ui.context import flash
from ui.incidents import act, fmt, time_field

actor = ui.actor()
st.title("接报登记")
st.caption("接到报告须准确、详细记录（第十一条）。谁接报谁负责，跟踪办理到底（首接负责，第十二条）。"
           "报告时限自事发时间起算（第二十一条），登记后即开始计时。")
flash()


def open_incident(incident_id: int) -> None:
    st.switch_page("pages/incidents.py", query_params={"id": incident_id})


unit_rows = ui.run_action(units.list_units, actor) or []
unit_names = {u.id: u.name for u in unit_rows}
default_unit = actor.unit_id if actor.unit_id in unit_names else next(
    (u.id for u in unit_rows if u.kind == "street_office"), None)

new_tab, repeat_tab = st.tabs(["新接报", "同一事件再次来电"])

with new_tab:
    k = forms.new_key("intake")
    with st.form(k):
        title = st.text_input("事件名称", key=f"{k}_title", placeholder="如：某社区液化气爆炸事故")
        left, right = st.columns(2)
        occurred_at = time_field("事发时间", f"{k}_occurred_at", None, container=left,
                                 help="北京时间。报告时限自事发时间起算（第二十一条）")
        received_at = time_field("接报时间", f"{k}_received_at", container=right,
                                 help="北京时间，默认为打开本页的时间")
        place = st.text_input("事发地点", key=f"{k}_place")
        left, right = st.columns([1, 2])
        kinds = list(SOURCE_KIND_LABELS)
        source_kind = left.selectbox("信息来源", kinds, index=kinds.index("phone"),
                                     format_func=SOURCE_KIND_LABELS.get, key=f"{k}_source_kind")
        source_text = right.text_input("来源说明", key=f"{k}_source_text",
                                       placeholder="报告单位或报告人，如：某社区网格员")
        left, right = st.columns(2)
        caller = left.text_input("来电人", key=f"{k}_caller")
        caller_number = right.text_input("来电号码", key=f"{k}_caller_number")
        left, middle, right = st.columns(3)
        category = left.selectbox("事件类别", list(CATEGORY_LABELS), index=None,
                                  format_func=CATEGORY_LABELS.get, placeholder="请选择",
                                  key=f"{k}_category")
        levels = list(LEVEL_LABELS)
        level = middle.selectbox("事件等级", levels, index=levels.index(None),
                                 format_func=LEVEL_LABELS.get, key=f"{k}_level",
                                 help="尚未评估可先选「未定级」，定级后在事件中修改，时限随之重算")
        classes = list(CLASSIFICATION_LABELS)
        classification = right.selectbox("密级", classes, index=classes.index("internal"),
                                         format_func=CLASSIFICATION_LABELS.get, key=f"{k}_classification")
        st.markdown("敏感情形（涉及敏感时间、地点、性质的，须及时报告区政府，第二十一条）")
        a, b, c = st.columns(3)
        sensitive_time = a.checkbox("敏感时间", key=f"{k}_sensitive_time")
        sensitive_place = b.checkbox("敏感地点", key=f"{k}_sensitive_place")
        sensitive_nature = c.checkbox("敏感性质", key=f"{k}_sensitive_nature")
        description = st.text_area("基本情况", key=f"{k}_description", height=120,
                                   placeholder="事件经过、已知伤亡和影响、已采取的措施")
        unit_ids = list(unit_names)
        unit_id = st.selectbox("所属值班单位", unit_ids,
                               index=unit_ids.index(default_unit) if default_unit in unit_ids else None,
                               format_func=unit_names.get, placeholder="选择单位", key=f"{k}_unit",
                               disabled=len(unit_ids) <= 1)
        save = st.form_submit_button("登记接报", type="primary", icon=":material/call_received:")
    if save:
        form = incidents.IntakeInput(
            title=title, occurred_at=occurred_at, place=place, category=category,
            source_kind=source_kind, source_text=source_text, level=level,
            sensitive_time=sensitive_time, sensitive_place=sensitive_place,
            sensitive_nature=sensitive_nature, description=description,
            classification=classification, received_at=received_at, unit_id=unit_id,
            caller=caller, caller_number=caller_number)
        act(incidents.receive, actor, form,
            success=f"已登记「{title.strip()}」，由您首接负责；报告时限已开始计时",
            reset="intake", then=open_incident)

with repeat_tab:
    st.caption("同一事件被多次报告时，把来电记在已有事件下，不重复立案。")
    open_rows = ui.run_action(incidents.list_incidents, actor) or []
    by_id = {r.id: r for r in open_rows}
    if not by_id:
        st.info("当前没有未关闭的事件。")
    else:
        k = forms.new_key("intake_repeat")
        with st.form(k):
            incident_id = st.selectbox(
                "关联事件", list(by_id), index=None, placeholder="选择未关闭的事件", key=f"{k}_incident",
                format_func=lambda i: f"{by_id[i].title}（{by_id[i].state_label}，接报 "
                                      f"{fmt(by_id[i].received_at)}）")
            left, right = st.columns(2)
            caller = left.text_input("来电人", key=f"{k}_caller")
            number = right.text_input("来电号码", key=f"{k}_number")
            received_at = time_field("接报时间", f"{k}_received_at", None, help="不填则为当前时间")
            summary = st.text_area("来电内容", key=f"{k}_summary", height=100)
            link = st.form_submit_button("记入该事件", type="primary", icon=":material/link:")
        if link:
            if incident_id is None:
                st.error("关联事件：请选择")
            else:
                act(incidents.link_intake, actor, incident_id,
                    incidents.IntakeCallInput(caller=caller, number=number, summary=summary,
                                              received_at=received_at),
                    success=f"来电已记入「{by_id[incident_id].title}」",
                    reset="intake_repeat", then=lambda _: open_incident(incident_id))
