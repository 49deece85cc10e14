"""换班/替班: after a roster is published, a change of who is on duty is a request, the
colleague's consent and a shift leader's approval, checked against the rules again."""
import pyarrow as pa
import streamlit as st

import ui
from services import rosters
from services.permissions import can
from ui import forms
from ui.context import flash
from ui.rosters import attempt, fmt, md, notify, show_notice

NOTICE = "swaps"
KIND_HELP = {"substitution": "替班：同事替我值这个班", "swap": "换班：我和同事互换班次"}
STATE_COLORS = {"requested": "orange", "accepted": "blue", "approved": "green",
                "declined": "gray", "rejected": "red", "cancelled": "gray"}

actor = ui.actor()
st.title("换班/替班")
st.caption("值班表发布后，人员调整须本人申请、同事同意、带班领导审批；审批时按值班规定重新检查"
           "（只安排正式在编人员、双人值班、领导带班、培训和休息，第九、十、十六、二十四条）。")
flash()
show_notice(NOTICE)
me = actor.person_id
may_approve = can(actor, "swap.approve")


def describe(sw) -> str:
    text = (f"**{md(sw.kind_label)}** · {md(sw.from_person.name)} 的 {md(sw.shift_label)}"
            f" → {md(sw.to_person.name)}")
    if sw.other_shift_label:
        text += f"；{md(sw.from_person.name)} 改值 {md(sw.other_shift_label)}"
    if sw.reason:
        text += f"  \n事由：{md(sw.reason)}"
    return text


def request_card(sw, actions: list[tuple], note: bool = False) -> None:
    """One open request with its buttons, each (label, icon, service, takes_note, done):
    the service is called as service(actor, id, version[, note])."""
    with st.container(border=True):
        top, badge = st.columns([5, 1], vertical_alignment="center")
        top.markdown(describe(sw))
        badge.badge(sw.state_label, color=STATE_COLORS.get(sw.state, "gray"))
        st.caption(f"申请时间 {fmt(sw.requested_at)}"
                   + (f" · 同事同意 {fmt(sw.accepted_at)}" if sw.accepted_at else ""))
        k = f"swap_{sw.id}_v{sw.version}"
        # With an opinion, it and the buttons are one form; Enter would press 同意 / 批准.
        box = forms.typed(f"{k}_form", enter=False) if note else st.container()
        clicked = None
        with box:
            text = st.text_input("意见", key=f"{k}_note", placeholder="拒绝或不批准时可说明原因") if note else ""
            cols = st.columns(len(actions) + 2)
            for col, action in zip(cols, actions):
                label, icon = action[:2]
                press = col.form_submit_button if note else col.button
                if press(label, key=f"{k}_{label}", icon=icon,
                         type="primary" if icon == ":material/check:" else "secondary"):
                    clicked = action
        if clicked:
            _label, _icon, fn, takes_note, done = clicked
            args = (actor, sw.id, sw.version) + ((text,) if takes_note else ())
            if attempt(fn, *args):
                notify(NOTICE, "success", done)
                st.rerun()


# ---------------------------------------------------------------- ask a colleague

open_items = rosters.open_swaps(actor, me)    # 待我确认, 我的申请, 待审批: read together
if me is not None:
    options = attempt(rosters.swap_options, actor, me)   # my shifts and whom to ask: read together
    mine = options.shifts if options else ()
    with st.container(border=True):
        st.subheader("申请换班或替班")
        if not mine:
            st.caption("未来两个月内没有可调整的班次（仅限已发布、尚未开始的班次）。")
        else:
            k = forms.new_key("swap_new")
            by_id = {c.id: c for c in mine}
            shift_id = st.selectbox("我的班次", list(by_id), key=f"{k}_shift",
                                    format_func=lambda i: f"{by_id[i].label}（{by_id[i].role_label}）")
            kind = st.radio("方式", list(KIND_HELP), format_func=KIND_HELP.get, horizontal=True,
                            key=f"{k}_kind")
            colleagues = {p.id: p for p in options.colleagues_for(by_id[shift_id])}
            to = st.selectbox("同事", list(colleagues), index=None, key=f"{k}_to", placeholder="选择本单位同事",
                              format_func=lambda i: colleagues[i].name + (
                                  "" if colleagues[i].employment == "permanent"
                                  else f"（{colleagues[i].employment_label}）"))
            other = None
            if kind == "swap" and to is not None:
                theirs = {c.id: c for c in attempt(rosters.swappable_shifts, actor, to) or []}
                if theirs:
                    other = st.selectbox("对方的班次（由我去值）", list(theirs), key=f"{k}_other",
                                         format_func=lambda i: f"{theirs[i].label}（{theirs[i].role_label}）")
                else:
                    st.caption(f"{md(colleagues[to].name)}在未来两个月内没有可换的班次，可改为替班。")
            # The choices above stay outside: they show or hide 对方的班次 and enable the button.
            with forms.typed(f"{k}_request"):
                reason = st.text_input("事由", key=f"{k}_reason", max_chars=200,
                                       placeholder="如：外出培训、家中有事")
                ask = st.form_submit_button("提交申请", key=f"{k}_submit", type="primary",
                                            icon=":material/send:", disabled=to is None)
            if ask:
                if attempt(rosters.request_swap, actor, shift_id, me, to, kind, other, reason):
                    forms.renew("swap_new")
                    what = "换班" if kind == "swap" else "替班"
                    notify(NOTICE, "success", f"已向{colleagues[to].name}提出{what}申请，待同事确认")
                    st.rerun()

    asked = open_items.asked
    if asked:
        st.subheader(f"待我确认（{len(asked)}）")
        for sw in asked:
            request_card(sw, [("同意", ":material/check:", rosters.accept_swap, False, "已同意，待带班领导审批"),
                              ("拒绝", ":material/close:", rosters.decline_swap, True, "已拒绝该申请")],
                         note=True)

    own_open = open_items.mine
    if own_open:
        st.subheader(f"我的申请（{len(own_open)}）")
        for sw in own_open:
            request_card(sw, [("撤回申请", ":material/undo:", rosters.cancel_swap, False, "申请已撤回")])

# ---------------------------------------------------------------- the shift leader approves

if may_approve:
    waiting = open_items.waiting
    st.subheader(f"待审批（{len(waiting)}）")
    if not waiting:
        st.caption("暂无待审批的申请")
    for sw in waiting:
        request_card(sw, [("批准", ":material/check:", rosters.approve_swap, False, "已批准，值班表已调整"),
                          ("不批准", ":material/close:", rosters.reject_swap, True, "已不批准该申请")],
                     note=True)

# ---------------------------------------------------------------- history

st.subheader("申请记录")
shown = rosters.swaps_page(actor, person_id=None if (may_approve or me is None) else me,
                           page=st.session_state.get("swap_page", 1))
history = shown.rows
forms.pager(shown, "swap_page", "第 {first}–{last} 条，共 {total} 条（最新的在前）")
if history:
    rows = [{"类型": sw.kind_label, "状态": sw.state_label, "班次": sw.shift_label,
             "申请人": sw.from_person.name, "接替人": sw.to_person.name,
             "对方班次": sw.other_shift_label, "事由": sw.reason,
             "申请时间": fmt(sw.requested_at), "批准时间": fmt(sw.approved_at),
             "意见": sw.decision_note} for sw in history]
    # An Arrow table straight away: from a list of dicts Streamlit goes through pandas (×5).
    st.dataframe(pa.Table.from_pylist(rows), hide_index=True, placeholder="—")
else:
    st.caption("暂无申请记录")
