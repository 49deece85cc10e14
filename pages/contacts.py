"""通讯录: the street's shared contacts, upper levels first; stale numbers are flagged."""
import pandas as pd
import streamlit as st

import ui
from services.directory import contacts
from services.directory.common import ACTIVE_LABELS, CONTACT_CATEGORY_LABELS
from services.directory.contacts import ContactData
from services.permissions import can
from ui import forms
from ui.context import flash
from ui.directory import excel_section

actor = ui.actor()
days = contacts.review_days()
st.title("通讯录")
st.caption(f"超过 {days} 天未核对的联系人会被标出；请拨打或核实号码后点击“已核对”。")
flash()
may_write = can(actor, "contact.write")
STALE = f"超过{days}天未核对"


def contact_table(rows) -> pd.DataFrame:
    return pd.DataFrame([{
        "类别": r.category_label, "姓名": r.name, "单位或机构": r.organisation, "电话": r.phone,
        "手机": r.mobile, "传真": r.fax, "备注": r.notes, "最近核对": r.last_reviewed_on,
        "核对状态": STALE if r.review_overdue else "正常", "状态": ACTIVE_LABELS[r.active],
    } for r in rows], columns=["类别", "姓名", "单位或机构", "电话", "手机", "传真", "备注",
                               "最近核对", "核对状态", "状态"])


def contact_fields(k: str, snap=None) -> ContactData:
    categories = list(CONTACT_CATEGORY_LABELS)
    name = st.text_input("姓名", snap.name if snap else "", key=f"{k}_name",
                         help="人名或岗位，如“总值班室”")
    category = st.selectbox("类别", categories,
                            index=categories.index(snap.category) if snap else 0,
                            format_func=CONTACT_CATEGORY_LABELS.get, key=f"{k}_category")
    organisation = st.text_input("单位或机构", (snap.organisation or "") if snap else "",
                                 key=f"{k}_organisation")
    left, middle, right = st.columns(3)
    phone = left.text_input("电话", (snap.phone or "") if snap else "", key=f"{k}_phone",
                            placeholder="如 027-83881234")
    mobile = middle.text_input("手机", (snap.mobile or "") if snap else "", key=f"{k}_mobile")
    fax = right.text_input("传真", (snap.fax or "") if snap else "", key=f"{k}_fax")
    notes = st.text_area("备注", (snap.notes or "") if snap else "", key=f"{k}_notes",
                         max_chars=500)
    return ContactData(name, category, organisation, phone, mobile, fax, notes)


# ---------------------------------------------------------------- list

def first_page():
    st.session_state.pop("contact_page", None)


c1, c2, c3, c4 = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
category = c1.selectbox("类别", [None] + list(CONTACT_CATEGORY_LABELS), key="contact_category",
                        format_func=lambda c: CONTACT_CATEGORY_LABELS.get(c, "全部类别"),
                        on_change=first_page)
text = c2.text_input("搜索", key="contact_search", placeholder="姓名、单位、电话或备注中的任意文字",
                     on_change=first_page)
overdue_only = c3.checkbox("只看待核对", key="contact_overdue", on_change=first_page)
include_inactive = c4.checkbox("显示已停用", key="contact_inactive", on_change=first_page)
found = contacts.contacts_page(actor, text=text, category=category,
                               include_inactive=include_inactive, overdue_only=overdue_only,
                               page=st.session_state.get("contact_page", 1))
rows = found.shown.rows
stale = [r for r in rows if r.review_overdue]
if found.overdue:
    st.warning(f"有 {found.overdue} 条联系人超过 {days} 天未核对，请核对号码后点击“已核对”。")
forms.pager(found.shown, "contact_page", "第 {first}–{last} 条，共 {total} 条")
# Stale rows are named in 核对状态 and listed with their 已核对 buttons below; a pandas
# Styler colouring them cost more than the rest of the page (bench/profile_page.py).
st.dataframe(contact_table(rows), hide_index=True, placeholder="—")

if stale and may_write:
    title = (f"待核对联系人（{len(stale)}）" if len(stale) == found.overdue
             else f"本页待核对联系人（{len(stale)}，共 {found.overdue}）")
    with st.expander(title, expanded=True, icon=":material/fact_check:"):
        for r in stale:
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.text(f"{r.category_label} · {r.name} · {r.organisation or ''} · "
                      f"{r.phone or r.mobile} · 上次核对 {r.last_reviewed_on}"
                      f"（{r.days_since_review} 天前）")
            if right.button("已核对", key=f"review_{r.id}"):
                forms.submit(contacts.mark_reviewed, actor, r.id, r.version,
                             success=f"已核对「{r.name}」", snapshot="contact")

# ---------------------------------------------------------------- create

if may_write:
    with st.expander("新增联系人", icon=":material/person_add:"):
        k = forms.new_key("contact_new")
        with st.form(k):
            data = contact_fields(k)
            create = st.form_submit_button("新增联系人", type="primary")
        if create:
            forms.submit(contacts.create_contact, actor, data,
                         success=f"已新增联系人「{data.name.strip()}」", reset="contact_new")

    # ------------------------------------------------------------ one contact
    st.divider()
    by_id = {r.id: r for r in rows}
    picked = st.selectbox(
        "选择联系人", list(by_id), index=None, key="contact_pick",
        help="列出本页的联系人；可用上方的类别和搜索缩小范围",
        format_func=lambda i: f"{by_id[i].name}"
                              f"（{by_id[i].organisation or by_id[i].category_label}）",
        placeholder="选择联系人以修改、核对或停用")
    if picked is not None:
        snap = forms.loaded("contact", by_id[picked])
        k = forms.key("contact", snap)
        with st.form(k):
            data = contact_fields(k, snap)
            save = st.form_submit_button("保存修改", type="primary")
        if save:
            forms.submit(contacts.update_contact, actor, snap.id, snap.version, data,
                         success="联系人已保存", snapshot="contact")
        left, right = st.columns(2)
        if left.button("已核对", key=f"{k}_review", icon=":material/fact_check:",
                       help=f"上次核对：{snap.last_reviewed_on}"):
            forms.submit(contacts.mark_reviewed, actor, snap.id, snap.version,
                         success=f"已核对「{snap.name}」", snapshot="contact")
        if snap.active:
            if right.button("停用该联系人", key=f"{k}_deactivate", icon=":material/block:"):
                forms.submit(contacts.set_contact_active, actor, snap.id, snap.version, False,
                             success=f"已停用「{snap.name}」", snapshot="contact")
        elif right.button("重新启用", key=f"{k}_reactivate", icon=":material/restart_alt:"):
            forms.submit(contacts.set_contact_active, actor, snap.id, snap.version, True,
                         success=f"已重新启用「{snap.name}」", snapshot="contact")

excel_section(actor, "contacts")
