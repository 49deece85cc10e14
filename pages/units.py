"""单位与值班电话: units by kind, their duty phones, and the filings of 第二十三条."""
import streamlit as st

import ui
from services import clock
from services.directory import people, units
from services.directory.common import ACTIVE_LABELS, UNIT_KIND_LABELS
from services.directory.units import UnitData
from services.permissions import can
from ui import forms
from ui.context import flash
from ui.directory import excel_section

actor = ui.actor()
st.title("单位与值班电话")
st.caption("各单位确定固定的值班电话号码，24小时保持同一号码；号码变更须报党政办备案（第二十三条）。")
flash()
may_write = can(actor, "unit.write")


def unit_table(rows):
    return [{"单位名称": r.name, "上级单位": r.parent_name, "值班电话": r.duty_phone,
             "传真": r.fax, "主要负责同志": r.principal_leader_name,
             "分管负责人": r.deputy_in_charge_name, "地址": r.address,
             "待确认报备": r.pending_filings or None, "状态": ACTIVE_LABELS[r.active]} for r in rows]


def filing_table(filings, inbox=False):
    """A unit's filing history, or (inbox) the pending filings of every unit."""
    return [{**({"单位": f.unit_name} if inbox else {}),
             "报备时间": clock.fmt(f.filed_at), "原号码": f.old_phone or "（首次登记）",
             "新号码": f.new_phone, "变更原因": f.reason, "报备人": f.filed_by_name,
             **({} if inbox else {"状态": "待确认" if f.pending else "已确认",
                                  "确认人": f.acknowledged_by_name,
                                  "确认时间": clock.fmt(f.acknowledged_at)})} for f in filings]


def options_with(ids, current):
    """Choices for a select, keeping the record's current value even if it left the list."""
    ids = list(ids)
    return ids if current is None or current in ids else ids + [current]


# ---------------------------------------------------------------- the office's inbox

if can(actor, "duty_phone.acknowledge"):
    pending = units.list_filings(actor, pending_only=True)
    if pending:
        with st.container(border=True):
            st.subheader(f"待确认的值班电话报备（{len(pending)}）")
            st.dataframe(filing_table(pending, inbox=True), hide_index=True, placeholder="—")
            pending_by_id = {f.id: f for f in pending}
            chosen = st.selectbox(
                "选择报备", list(pending_by_id), key="ack_pick",
                format_func=lambda i: f"{pending_by_id[i].unit_name}：{pending_by_id[i].new_phone}"
                                      f"（{clock.fmt(pending_by_id[i].filed_at)}）")
            if st.button("确认已备案", key="ack_submit", type="primary",
                         icon=":material/task_alt:"):
                filing = pending_by_id[chosen]
                forms.submit(units.acknowledge_filing, actor, filing.id, filing.version,
                             success=f"已确认「{filing.unit_name}」的值班电话报备")

# ---------------------------------------------------------------- list by kind

if can(actor, "unit.read"):   # every unit; a unit duty officer meets their own one below
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    text = left.text_input("搜索单位", key="unit_search", placeholder="输入单位名称中的任意文字")
    include_inactive = right.checkbox("显示已停用", key="unit_inactive")
    rows = units.list_units(actor, text=text, include_inactive=include_inactive)
    groups = units.group_by_kind(rows)
    for tab, group in zip(st.tabs([f"{UNIT_KIND_LABELS[k]}（{len(g)}）"
                                   for k, g in groups.items()]), groups.values()):
        with tab:
            if group:
                st.dataframe(unit_table(group), hide_index=True, placeholder="—")
            else:
                st.caption("没有符合条件的单位")
else:
    rows = units.list_units(actor)

active_units = units.list_units(actor) if may_write else []
unit_names = {u.id: u.name for u in active_units}

# ---------------------------------------------------------------- create

if may_write:
    with st.expander("新增单位", icon=":material/add_business:"):
        k = forms.new_key("unit_new")
        street = next((u.id for u in active_units if u.kind == "street_office"), None)
        parents = [None] + list(unit_names)
        with st.form(k):
            name = st.text_input("单位名称", key=f"{k}_name")
            kind = st.selectbox("单位类型", list(UNIT_KIND_LABELS), index=1,
                                format_func=UNIT_KIND_LABELS.get, key=f"{k}_kind")
            parent = st.selectbox("上级单位", parents, index=parents.index(street),
                                  format_func=lambda i: unit_names.get(i, "（无）"),
                                  key=f"{k}_parent")
            duty_phone = st.text_input("值班电话", key=f"{k}_duty_phone",
                                       help="固定值班电话，登记即为首次报备；此后变更须报备（第二十三条）")
            fax = st.text_input("传真", key=f"{k}_fax")
            address = st.text_input("地址", key=f"{k}_address")
            create = st.form_submit_button("新增单位", type="primary")
        if create:
            forms.submit(units.create_unit, actor,
                         UnitData(name, kind, parent, fax=fax, address=address), duty_phone,
                         success=f"已新增单位「{name.strip()}」", reset="unit_new")

# ---------------------------------------------------------------- one unit

st.divider()
by_id = {r.id: r for r in rows}
picked = st.selectbox("选择单位", list(by_id), index=0 if len(by_id) == 1 else None,
                      format_func=lambda i: f"{by_id[i].name}（{by_id[i].kind_label}）",
                      placeholder="选择单位以修改信息、报备值班电话或查看报备记录", key="unit_pick")
if picked is not None:
    row = by_id[picked]
    snap = forms.loaded("unit", row)
    k = forms.key("unit", snap)
    info_tab, phone_tab = st.tabs(["单位信息", "值班电话与报备记录"])

    with info_tab:
        if not may_write:
            st.caption("单位信息由党政办维护。")
            st.dataframe(unit_table([row]), hide_index=True, placeholder="—")
        else:
            staff = {p.id: p.name for p in people.list_people(actor, unit_id=row.id)}
            person_names = {snap.principal_leader_id: snap.principal_leader_name,
                            snap.deputy_in_charge_id: snap.deputy_in_charge_name, **staff,
                            None: "（无）"}
            parent_names = {snap.parent_id: snap.parent_name, **unit_names, None: "（无）"}
            leaders = [None] + list(staff)
            parents = [None] + [i for i in unit_names if i != snap.id]
            with st.form(k):
                name = st.text_input("单位名称", snap.name, key=f"{k}_name")
                kinds = list(UNIT_KIND_LABELS)
                kind = st.selectbox("单位类型", kinds, index=kinds.index(snap.kind),
                                    format_func=UNIT_KIND_LABELS.get, key=f"{k}_kind")
                parent_ids = options_with(parents, snap.parent_id)
                parent = st.selectbox("上级单位", parent_ids, index=parent_ids.index(snap.parent_id),
                                      format_func=parent_names.get, key=f"{k}_parent")
                lead_ids = options_with(leaders, snap.principal_leader_id)
                leader = st.selectbox("主要负责同志", lead_ids,
                                      index=lead_ids.index(snap.principal_leader_id),
                                      format_func=person_names.get, key=f"{k}_leader",
                                      help="须为本单位在册人员")
                deputy_ids = options_with(leaders, snap.deputy_in_charge_id)
                deputy = st.selectbox("分管负责人", deputy_ids,
                                      index=deputy_ids.index(snap.deputy_in_charge_id),
                                      format_func=person_names.get, key=f"{k}_deputy")
                fax = st.text_input("传真", snap.fax or "", key=f"{k}_fax")
                address = st.text_input("地址", snap.address or "", key=f"{k}_address")
                st.caption(f"值班电话：{snap.duty_phone or '未登记'}（在“值班电话与报备记录”中报备变更）")
                save = st.form_submit_button("保存修改", type="primary")
            if save:
                forms.submit(units.update_unit, actor, snap.id, snap.version,
                             UnitData(name, kind, parent, leader, deputy, fax, address),
                             success="单位信息已保存", snapshot="unit")
            if snap.active:
                if st.button("停用该单位", key=f"{k}_deactivate", icon=":material/block:",
                             help="停用后不再出现在列表和排班中，历史记录保留；可重新启用"):
                    forms.submit(units.set_unit_active, actor, snap.id, snap.version, False,
                                 success=f"已停用「{snap.name}」", snapshot="unit")
            elif st.button("重新启用", key=f"{k}_reactivate", icon=":material/restart_alt:"):
                forms.submit(units.set_unit_active, actor, snap.id, snap.version, True,
                             success=f"已重新启用「{snap.name}」", snapshot="unit")

    with phone_tab:
        st.metric("现用值班电话", row.duty_phone or "未登记")
        if row.active and can(actor, "duty_phone.file", row.id):
            with st.form(f"{k}_phone"):
                st.markdown("**报备值班电话变更**（第二十三条）")
                new_phone = st.text_input("新值班电话", key=f"{k}_new_phone",
                                          placeholder="如 027-83881234 或 11位手机号码")
                reason = st.text_area("变更原因", key=f"{k}_reason", max_chars=200)
                file = st.form_submit_button("提交报备", type="primary")
            if file:
                done = ("值班电话已变更并备案" if can(actor, "duty_phone.acknowledge")
                        else "值班电话变更已报备，待党政办确认")
                forms.submit(units.file_duty_phone_change, actor, snap.id, snap.version,
                             new_phone, reason, success=done, snapshot="unit")
        history = units.list_filings(actor, unit_id=row.id)
        st.markdown("**报备记录**")
        if history:
            st.dataframe(filing_table(history), hide_index=True, placeholder="—")
        else:
            st.caption("暂无报备记录")

excel_section(actor, "units")
