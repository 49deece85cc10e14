"""人员: each unit's staff, who may lead a shift, and their training dates (第十六条)."""
from datetime import date

import streamlit as st

import ui
from services.directory import people, units
from services.directory.common import ACTIVE_LABELS, EMPLOYMENT_LABELS, today
from services.directory.people import PersonData
from services.permissions import can
from ui import forms
from ui.context import flash
from ui.directory import excel_section

actor = ui.actor()
st.title("人员")
st.caption("政务值班由正式在编人员承担，不得安排临时人员（第二条、第九条）；"
           "首次值班前须参加岗前培训，每年参加年度培训（第十六条）。")
flash()

unit_rows = units.list_units(actor)
unit_names = {u.id: u.name for u in unit_rows}
writable = [u.id for u in unit_rows if can(actor, "person.write", u.id)]
day = today()
EARLIEST = date(1990, 1, 1)


def person_table(rows):
    return [{"姓名": p.name, "所属单位": p.unit_name, "职务": p.position, "手机": p.mobile,
             "办公电话": p.office_phone, "用工性质": p.employment_label,
             "可带班": "是" if p.can_lead_shift else "", "岗前培训": p.pre_job_trained_on,
             "年度培训": p.yearly_trained_on, "状态": ACTIVE_LABELS[p.active]} for p in rows]


def person_fields(k: str, snap=None):
    """The fields of a person form; `snap` gives the defaults of an edit."""
    units_offered = list(writable)
    if snap is not None and snap.unit_id not in units_offered:
        units_offered.append(snap.unit_id)
    names = {**unit_names, **({snap.unit_id: snap.unit_name} if snap else {})}
    employments = list(EMPLOYMENT_LABELS)
    name = st.text_input("姓名", snap.name if snap else "", key=f"{k}_name")
    unit_index = (units_offered.index(snap.unit_id) if snap
                  else 0 if len(units_offered) == 1 else None)
    unit_id = st.selectbox("所属单位", units_offered, index=unit_index, format_func=names.get,
                           placeholder="选择单位", key=f"{k}_unit")
    position = st.text_input("职务", (snap.position or "") if snap else "", key=f"{k}_position")
    left, right = st.columns(2)
    mobile = left.text_input("手机", (snap.mobile or "") if snap else "", key=f"{k}_mobile",
                             placeholder="11位手机号码")
    office_phone = right.text_input("办公电话", (snap.office_phone or "") if snap else "",
                                    key=f"{k}_office_phone", placeholder="如 027-83881234")
    employment = st.selectbox("用工性质", employments,
                              index=employments.index(snap.employment) if snap else 0,
                              format_func=EMPLOYMENT_LABELS.get, key=f"{k}_employment")
    can_lead = st.checkbox("可担任带班领导", snap.can_lead_shift if snap else False, key=f"{k}_lead")
    left, right = st.columns(2)
    dates = dict(min_value=EARLIEST, max_value=day, format="YYYY-MM-DD")
    pre_job = left.date_input("岗前培训日期", snap.pre_job_trained_on if snap else None,
                              key=f"{k}_pre_job", **dates)
    yearly = right.date_input("年度培训日期", snap.yearly_trained_on if snap else None,
                              key=f"{k}_yearly", **dates)
    return PersonData(name, unit_id, employment, position, mobile, office_phone, can_lead,
                      pre_job, yearly)


# ---------------------------------------------------------------- list

def first_page():
    st.session_state.pop("person_page", None)


left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
unit_choices = list(unit_names) if len(unit_names) == 1 else [None] + list(unit_names)
unit_filter = left.selectbox("单位", unit_choices, format_func=lambda i: unit_names.get(i, "全部单位"),
                             key="person_unit", on_change=first_page)
text = middle.text_input("搜索", key="person_search", placeholder="姓名、职务或电话中的任意文字",
                         on_change=first_page)
include_inactive = right.checkbox("显示已停用", key="person_inactive", on_change=first_page)
shown = people.people_page(actor, unit_id=unit_filter, text=text,
                           include_inactive=include_inactive,
                           page=st.session_state.get("person_page", 1))
rows = shown.rows
forms.pager(shown, "person_page", "第 {first}–{last} 人，共 {total} 人（按单位、姓名排列）")
st.dataframe(person_table(rows), hide_index=True, placeholder="—")
if shown.pages <= 1:
    st.caption(f"共 {shown.total} 人")

# ---------------------------------------------------------------- create

if writable:
    with st.expander("新增人员", icon=":material/person_add:"):
        k = forms.new_key("person_new")
        with st.form(k):
            data = person_fields(k)
            create = st.form_submit_button("新增人员", type="primary")
        if create:
            forms.submit(people.create_person, actor, data,
                         success=f"已新增人员「{data.name.strip()}」", reset="person_new")

# ---------------------------------------------------------------- one person

st.divider()
by_id = {p.id: p for p in rows}
picked = st.selectbox("选择人员", list(by_id), index=None, key="person_pick",
                      format_func=lambda i: f"{by_id[i].name}（{by_id[i].unit_name}）",
                      placeholder="选择人员以修改或停用",
                      help="列出本页的人员；可用上方的单位和搜索缩小范围")
if picked is not None:
    snap = forms.loaded("person", by_id[picked])
    k = forms.key("person", snap)
    if not can(actor, "person.write", snap.unit_id):
        st.caption("只能查看，无权修改该人员。")
    else:
        with st.form(k):
            data = person_fields(k, snap)
            save = st.form_submit_button("保存修改", type="primary")
        if save:
            forms.submit(people.update_person, actor, snap.id, snap.version, data,
                         success="人员信息已保存", snapshot="person")
        if snap.active:
            if st.button("停用该人员", key=f"{k}_deactivate", icon=":material/person_off:",
                         help="停用后不再出现在列表和排班中，历史记录保留；可重新启用"):
                forms.submit(people.set_person_active, actor, snap.id, snap.version, False,
                             success=f"已停用「{snap.name}」", snapshot="person")
        elif st.button("重新启用", key=f"{k}_reactivate", icon=":material/restart_alt:"):
            forms.submit(people.set_person_active, actor, snap.id, snap.version, True,
                         success=f"已重新启用「{snap.name}」", snapshot="person")

excel_section(actor, "people")
